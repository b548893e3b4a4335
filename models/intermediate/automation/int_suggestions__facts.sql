{#-
    The suggestion engine's facts, long: one row per scope entity, date_day (the day the
    windows end), field and window_days, with its value in fact_value, for exactly the
    fields and windows of argo.suggestion_facts() (nulls left out: a condition on a
    missing figure never holds). fct_suggestions_daily joins the rules' conditions to
    these rows.
-#}
{%- set facts = argo.suggestion_facts() -%}
{%- set pairs = [] -%}
{%- for fact in facts -%}
    {%- for w in fact.windows -%}
        {%- if (fact.field, w) not in pairs -%}{%- do pairs.append((fact.field, w)) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor -%}

with

entity_days as (

    select * from {{ ref('int_suggestions__entity_days') }}

),

fields as (

    {{ argo.suggestion_facts_registry() }}

),

unpivoted as (

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
    from entity_days
    inner join fields
        on entity_days.scope = fields.scope

)

select * from unpivoted
where fact_value is not null
