{{ config(enabled=var('google_ads__enabled', true)) }}

with

ad_stats as (

    select * from {{ ref('stg_google_ads__ad_stats') }}

),

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

mapped as (

    select
        ad_stats.date_day,
        'google_ads' as platform,
        ad_stats.source_relation,
        ad_stats.account_id,
        ad_stats.campaign_id,
        ad_stats.ad_group_id,
        ad_stats.ad_id,
        customers.currency_code,
        ad_stats.impressions,
        ad_stats.clicks,
        ad_stats.spend,
        cast(null as {{ dbt.type_bigint() }}) as reach

    from ad_stats
    left join customers
        on ad_stats.account_id = customers.account_id

)

select * from mapped
