{{ config(enabled=var('meta_ads__enabled', true)) }}

with

insights as (

    select * from {{ ref('stg_meta_ads__ads_insights') }}

),

mapped as (

    select
        date_day,
        'meta_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        impressions,
        clicks,
        spend,
        reach

    from insights

)

select * from mapped
