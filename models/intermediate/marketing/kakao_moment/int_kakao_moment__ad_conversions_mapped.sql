{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

conversions as (

    select * from {{ ref('stg_kakao_moment__creative_report_conversions') }}

),

performance as (

    select * from {{ ref('int_kakao_moment__ad_performance_mapped') }}

),

creatives as (

    select * from {{ ref('stg_kakao_moment__creatives') }}

),

accounts as (

    select * from {{ ref('stg_kakao_moment__ad_accounts') }}

),

-- Every Kakao conversion metric lands under its own name (conv_purchase_7d,
-- conv_purchase_1d, ...); the seed ad_conversion_types decides which are counted (the _7d
-- window; _1d is part of it). Campaign and ad group come from the creative's report row of
-- the same day, else from the creatives listing.
joined as (

    select
        conversions.date_day,
        conversions.source_relation,
        conversions.account_id,
        conversions.ad_id,
        accounts.currency_code,
        conversions.conversion_type,
        coalesce(performance.campaign_id, creatives.campaign_id) as campaign_id,
        coalesce(performance.ad_group_id, creatives.ad_group_id) as ad_group_id,
        coalesce(conversions.conversions, 0) as conversions,
        coalesce(conversions.conversions_value, 0) as conversions_value

    from conversions
    left join performance
        on
            conversions.account_id = performance.account_id
            and conversions.ad_id = performance.ad_id
            and conversions.date_day = performance.date_day
    left join creatives
        on
            conversions.account_id = creatives.account_id
            and conversions.ad_id = creatives.ad_id
    left join accounts
        on conversions.account_id = accounts.account_id

),

mapped as (

    select
        date_day,
        'kakao_moment' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        conversion_type,
        conversions,
        conversions_value

    from joined

)

select * from mapped
