{{ config(enabled=var('google_ads__enabled', true)) }}

with

conversion_stats as (

    select * from {{ ref('stg_google_ads__ad_conversion_stats') }}

),

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

-- Per category, from all_conversions: Google's `conversions` counts only the actions
-- marked primary, so a secondary category (add to cart, typically) would read 0. Which
-- categories count is the seed's decision, not the account's primary setting. Several
-- conversion actions can share a category: they are summed.
by_category as (

    select
        date_day,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        conversion_action_category as conversion_type,
        sum(all_conversions) as conversions,
        sum(all_conversions_value) as conversions_value

    from conversion_stats
    group by 1, 2, 3, 4, 5, 6, 7

),

mapped as (

    select
        by_category.date_day,
        'google_ads' as platform,
        by_category.source_relation,
        by_category.account_id,
        by_category.campaign_id,
        by_category.ad_group_id,
        by_category.ad_id,
        customers.currency_code,
        by_category.conversion_type,
        by_category.conversions,
        by_category.conversions_value

    from by_category
    left join customers
        on by_category.account_id = customers.account_id

)

select * from mapped
