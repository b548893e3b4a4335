{#-
    The campaigns and ad groups that each platform's performance rows name, by calendar
    month: one row per platform, kind of entity, connection, ad account, entity and month
    it has rows in, with what those rows tell of it (argo.performance_entity_months_sql).
    dim_campaigns and dim_ad_groups add from it the entities the platforms' listings lack
    (Kimball's inferred members: argo.inferred_members_sql), so that a day's build reads
    the window's performance rows and this table instead of every day of the reports.

    Incremental by month, as int_suggestions__entity_months: a run recomputes every month
    from the one holding the window's first day (the days before it are unchanged since
    the last build in this schema: the window reaches back to every day loaded since). The
    pre-hook deletes the months whose last day is in the window (a month left with no row
    goes with it); the merge on (entity_key, month_start) replaces the window's first
    month, recomputed in full. State of the build schema it is built in (marts__blue and
    marts__green keep their own), not published (meta.published false).

    Google Ads is not here: its listings keep removed campaigns and ad groups, so its
    performance rows name nothing they lack.
-#}
{{ config(
    meta={'published': false},
    **argo.incremental_mart_config(unique_key=['entity_key', 'month_start'])
) }}
{%- set start = argo.lookback_window_start_of_this() if is_incremental() else none %}
{#- The first day of the month holding the window's first day: months are whole. Each
    input keeps the columns read: DuckDB writes out a CTE read twice. -#}
{%- set since = start.replace(day=1) if start is not none else none %}
{%- set parts = [] %}

with

{% if var('meta_ads__enabled') -%}
meta_ads_insights as (

    select
        source_relation,
        account_id,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_group_name,
        date_day,
        loaded_at
    from {{ ref('stg_meta_ads__ads_insights') }}
    {%- if since is not none %}
    where date_day >= cast('{{ since }}' as date)
    {%- endif %}

),

{% do parts.append(argo.performance_entity_months_sql(
    'meta_ads_insights', 'meta_ads', 'campaign', 'campaign_id', name_column='campaign_name'
)) -%}
{% do parts.append(argo.performance_entity_months_sql(
    'meta_ads_insights', 'meta_ads', 'ad_group', 'ad_group_id', name_column='ad_group_name',
    parent_column='campaign_id'
)) -%}
{% endif -%}
{% for platform in ['kakao_moment', 'naver_searchad'] if var(platform ~ '__enabled') -%}
{{ platform }}_performance as (

    select
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        date_day
    from {{ ref('int_' ~ platform ~ '__ad_performance_mapped') }}
    {%- if since is not none %}
    where date_day >= cast('{{ since }}' as date)
    {%- endif %}

),

{% do parts.append(argo.performance_entity_months_sql(
    platform ~ '_performance', platform, 'campaign', 'campaign_id'
)) -%}
{% do parts.append(argo.performance_entity_months_sql(
    platform ~ '_performance', platform, 'ad_group', 'ad_group_id',
    parent_column='campaign_id'
)) -%}
{% endfor -%}

final as (

    {% for part in parts -%}
        {{ part }}
        {% if not loop.last %}
    union all
        {% endif %}
    {%- else -%}
    {{ argo.performance_entity_months_sql(none, none, none, none) }}
    {%- endfor %}

)

select * from final
