{{ config(enabled=var('adjust__enabled', true)) }}

-- Adjust's <event>_events and <event>_revenue metrics summed over ad groups.
with

events as (

    select * from {{ ref('stg_adjust__report_daily_events') }}

),

summed as (

    select
        date_day,
        'adjust' as tracker,
        app_id,
        media_source,
        campaign_id,
        country_code,
        event_name,
        sum(event_count) as event_count,
        cast(null as {{ dbt.type_bigint() }}) as unique_users,
        sum(event_revenue) as revenue,
        max(currency_code) as revenue_currency_code

    from events
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from summed
