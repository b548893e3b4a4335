{{ config(enabled=var('google_ads__enabled', true)) }}

with

conversion_stats as (

    select * from {{ ref('stg_google_ads__keyword_conversion_stats') }}

),

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

-- all_conversions per category, as in int_google_ads__ad_conversions_mapped.
by_category as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        conversion_action_category as conversion_type,
        sum(all_conversions) as conversions,
        sum(all_conversions_value) as conversions_value

    from conversion_stats
    group by 1, 2, 3, 4, 5, 6

),

mapped as (

    select
        by_category.date_day,
        'google_ads' as platform,
        by_category.account_id,
        by_category.campaign_id,
        by_category.ad_group_id,
        by_category.keyword_id,
        customers.currency_code,
        by_category.conversion_type,
        by_category.conversions,
        by_category.conversions_value

    from by_category
    left join customers
        on by_category.account_id = customers.account_id

)

select * from mapped
