{#-
    What each suggestion entity (argo.suggestion_activity_sql: keyword, campaign, ad, an
    advertiser's platform) is over each calendar month it has rows in: its ids, its name,
    its first and last day of the month (date_day). fct_suggestions_daily combines these
    into what an entity is over its whole life (min and max of the months' min and max:
    argo.suggestion_entity_days_sql) instead of reading every day of the reports on a
    day's build.

    Incremental like the daily marts (macros/incremental_marts.sql), by month: a run
    recomputes every month from the one holding the window's first day, since the days
    before that first day are unchanged since the last build in this schema (the window
    reaches back to every day loaded since). The pre-hook deletes the months whose last
    day is in the window (a month left with no row, e.g. a day restated to nothing, goes
    with it); the merge on (entity_key, month_start) replaces the window's first month,
    recomputed in full. State of the build schema it is built in (each of marts__blue and
    marts__green keeps its own), so it lives among the marts, but it is no mart: it is not
    published (meta.published false, macros/publish_marts.sql).

    An ad's name is not kept (null): it is dim_ads' current name, joined when read.
-#}
{{ config(
    meta={'published': false},
    **argo.incremental_mart_config(unique_key=['entity_key', 'month_start'])
) }}
{%- set start = argo.lookback_window_start_of_this() if is_incremental() else none %}
{#- The first day of the month holding the window's first day: months are whole. -#}
{%- set since = start.replace(day=1) if start is not none else none %}

with

keyword_performance as (

    select * from {{ ref('rpt_keyword_performance_daily') }}

),

campaign_performance as (

    select * from {{ ref('rpt_campaign_performance_daily') }}

),

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

activity as (

    {{ argo.suggestion_activity_sql(since, ad_names=false) }}

),

final as (

    select
        entity_key,
        scope,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        {{ argo.suggestion_entity_ids() }},
        max(entity_name) as entity_name,
        min(date_day) as first_day,
        max(date_day) as date_day
    from activity
    group by 1, 2, 3

)

select * from final
