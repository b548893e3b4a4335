{#
    A Google Ads conversions mapping in ARGO's columns: one row per day, `object_id`
    (ad_id or keyword_id) and conversion action category (ARGO's conversion type), in
    the customer's currency, from all_conversions: Google's `conversions` counts only the
    actions marked primary, so a secondary category (add to cart, typically) would read
    0. Which categories count is the seed's decision, not the account's primary setting.
    Conversion actions of one category are summed. `conversion_stats` and `customers`
    are the staging relations.
#}
{% macro google_ads_conversions_mapped(conversion_stats, customers, object_id) -%}
with

conversion_stats as (

    select * from {{ conversion_stats }}

),

customers as (

    select * from {{ customers }}

),

by_category as (

    select
        date_day,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        {{ object_id }},
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
        by_category.{{ object_id }},
        customers.currency_code,
        by_category.conversion_type,
        by_category.conversions,
        by_category.conversions_value

    from by_category
    left join customers
        on by_category.account_id = customers.account_id

)

select * from mapped
{%- endmacro %}
