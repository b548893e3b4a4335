{{ config(enabled=var('appsflyer__enabled', true)) }}

-- AppsFlyer's raw in-app events counted per event day, revenue in USD as AppsFlyer
-- converted it.
with

events as (

    select * from {{ ref('stg_appsflyer__in_app_events') }}

),

counted as (

    select
        event_date as date_day,
        app_id,
        media_source,
        campaign_id,
        country_code,
        event_name,
        'appsflyer' as tracker,
        'USD' as revenue_currency_code,
        count(*) as event_count,
        count(distinct appsflyer_id) as unique_users,
        sum(coalesce(event_revenue_usd, 0)) as revenue

    from events
    group by 1, 2, 3, 4, 5, 6

)

select * from counted
