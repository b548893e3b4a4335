{#
    The figures a suggestion rule can test (seeds/automation/suggestion_rule_conditions.csv
    and the min_volume_* columns of suggestion_rules.csv): for each scope, each field and
    the trailing windows (days ending on date_day) it is computed for. Each (field, window)
    is the column <field>_<window>d of int_suggestions__entity_days;
    int_suggestions__facts unpivots exactly these, and the test
    assert_suggestion_rules_use_computed_facts refuses a rule that asks for anything else.
    docs/automation.md ("Suggestions") says what each field means.
#}
{% macro suggestion_facts() -%}
    {%- set every = [3, 7, 14, 28] -%}
    {%- set split = [14, 28] -%}
    {%- set totals = ['spend', 'impressions', 'clicks', 'conversions', 'conversions_value',
                      'ctr', 'cpc', 'cpa', 'roas'] -%}
    {%- set facts = [] -%}
    {%- for scope in ['keyword', 'campaign', 'ad', 'platform'] -%}
        {%- for field in totals -%}
            {%- do facts.append({'scope': scope, 'field': field, 'windows': every}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for field in ['cpa_over_target', 'roas_over_target', 'budget_utilisation_min'] -%}
        {%- do facts.append({'scope': 'campaign', 'field': field, 'windows': every}) -%}
    {%- endfor -%}
    {%- for scope in ['keyword', 'campaign', 'ad'] -%}
        {%- for field in ['ctr_change', 'ctr_slope'] -%}
            {%- do facts.append({'scope': scope, 'field': field, 'windows': split}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for field in ['marginal_roas', 'marginal_roas_rank', 'best_peer_marginal_roas',
                      'best_peer_spend', 'marginal_roas_gap_to_best_peer'] -%}
        {%- do facts.append({'scope': 'platform', 'field': field, 'windows': split}) -%}
    {%- endfor -%}
    {{ return(facts) }}
{%- endmacro %}

{#- fct_suggestions_daily: the value of `field` over the suggestion's window (a column of
    int_suggestions__entity_days per window: <field>_<window>d). -#}
{% macro suggestion_over_window(field, windows, as_double=false) -%}
    {%- if as_double %}cast({% endif -%}
    case entity_days_window
        {%- for w in windows %}
        when {{ w }} then entity_days.{{ field }}_{{ w }}d
        {%- endfor %}
    end
    {%- if as_double %} as {{ argo.type_double() }}){% endif -%}
{%- endmacro %}

{#- A number as text with `places` decimals, the same on DuckDB and Athena (a double cast
    to text would read 1.0E7 on Athena). -#}
{% macro suggestion_shown(expression, places) -%}
    cast(
        cast(round({{ expression }}, {{ places }}) as decimal(38, {{ places }}))
        as {{ dbt.type_string() }}
    )
{%- endmacro %}

{#- The (scope, field, window_days) of argo.suggestion_facts() as a query, one row each. -#}
{% macro suggestion_facts_registry() -%}
    {%- set rows = [] -%}
    {%- for fact in argo.suggestion_facts() -%}
        {%- for w in fact.windows -%}
            {%- do rows.append(
                "select '" ~ fact.scope ~ "' as scope, '" ~ fact.field ~ "' as field, "
                ~ w ~ " as window_days"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ rows | join('\n    union all\n    ') }}
{%- endmacro %}

{#
    The SQL of int_suggestions__facts (see its description there) over `entity_days`: a
    relation, or the name of a CTE with the columns of int_suggestions__entity_days
    (fct_suggestions_daily's window, argo.suggestion_entity_days_sql).
#}
{% macro suggestion_facts_sql(entity_days) -%}
{%- set facts = argo.suggestion_facts() -%}
{%- set pairs = [] -%}
{%- for fact in facts -%}
    {%- for w in fact.windows -%}
        {%- if (fact.field, w) not in pairs -%}{%- do pairs.append((fact.field, w)) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor -%}

select * from (
        select
            entity_days.entity_key,
            entity_days.scope,
            entity_days.advertiser_id,
            entity_days.platform,
            entity_days.account_id,
            entity_days.campaign_id,
            entity_days.ad_group_id,
            entity_days.ad_id,
            entity_days.keyword_id,
            entity_days.date_day,
            fields.field,
            fields.window_days,
            case
                {%- for field, w in pairs %}
                    when fields.field = '{{ field }}' and fields.window_days = {{ w }}
                        then cast(entity_days.{{ field }}_{{ w }}d as {{ argo.type_double() }})
                {%- endfor %}
            end as fact_value
        from {{ entity_days }} as entity_days
        inner join (
            {{ argo.suggestion_facts_registry() }}
        ) as fields
            on entity_days.scope = fields.scope
) as unpivoted
where fact_value is not null
{%- endmacro %}
