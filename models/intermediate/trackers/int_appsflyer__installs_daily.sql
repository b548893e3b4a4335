{{ config(enabled=var('appsflyer__enabled', true)) }}

-- AppsFlyer's raw installs counted per install day: raw rows carry the network's
-- campaign id, the aggregate reports only its name. Raw revenue is in USD.
with

installs as (

    select * from {{ ref('stg_appsflyer__installs') }}

),

counted as (

    select
        install_date as date_day,
        app_id,
        media_source,
        campaign_id,
        country_code,
        'appsflyer' as tracker,
        'USD' as revenue_currency_code,
        max(campaign_name) as campaign_name,
        count(*) as installs

    from installs
    group by 1, 2, 3, 4, 5

)

select * from counted
