{{ config(enabled=var('adjust__enabled', true)) }}

-- Adjust's report rows summed over ad groups; revenue is in the report currency.
with

report as (

    select * from {{ ref('stg_adjust__report_daily') }}

),

summed as (

    select
        date_day,
        'adjust' as tracker,
        app_id,
        media_source,
        campaign_id,
        country_code,
        max(campaign_name) as campaign_name,
        sum(installs) as installs,
        max(currency_code) as revenue_currency_code

    from report
    group by 1, 2, 3, 4, 5, 6

)

select * from summed
