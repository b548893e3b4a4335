{{ config(enabled=var('google_ads__enabled', true)) }}

with

keyword_stats as (

    select * from {{ ref('stg_google_ads__keyword_stats') }}

),

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

mapped as (

    select
        keyword_stats.date_day,
        'google_ads' as platform,
        keyword_stats.source_relation,
        keyword_stats.account_id,
        keyword_stats.campaign_id,
        keyword_stats.ad_group_id,
        keyword_stats.keyword_id,
        customers.currency_code,
        keyword_stats.impressions,
        keyword_stats.clicks,
        keyword_stats.spend

    from keyword_stats
    left join customers
        on keyword_stats.account_id = customers.account_id

)

select * from mapped
