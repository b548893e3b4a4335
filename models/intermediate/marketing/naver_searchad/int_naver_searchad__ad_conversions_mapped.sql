{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

conversion_stats as (

    select * from {{ ref('stg_naver_searchad__ad_conversion_stats') }}

),

accounts as (

    select * from {{ ref('int_naver_searchad__ad_accounts_mapped') }}

),

-- One row per ad-day and conversion type, the type named with its method
-- (purchase_direct, purchase_indirect, ...): Naver's total is direct plus indirect, and
-- the seed ad_conversion_types counts both. Sales stay as the advertiser's tracking
-- reported them: Naver does not know whether they include VAT.
by_type as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        conversion_type,
        max(source_relation) as source_relation,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from conversion_stats
    group by 1, 2, 3, 4, 5, 6

),

mapped as (

    select
        by_type.date_day,
        'naver_searchad' as platform,
        by_type.source_relation,
        by_type.account_id,
        by_type.campaign_id,
        by_type.ad_group_id,
        by_type.ad_id,
        accounts.currency_code,
        by_type.conversion_type,
        by_type.conversions,
        by_type.conversions_value

    from by_type
    left join accounts
        on by_type.account_id = accounts.account_id

)

select * from mapped
