{{ config(enabled=var('meta_ads__enabled', true)) }}

-- Meta's mapping neither drops nor invents delivery, and its conversions per day are the
-- staged actions of the configured types. Returns the days that differ.
{%- set conversion_action_types = argo.meta_ads_conversion_action_types() %}

with

staged_delivery as (

    select
        date_day,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from {{ ref('stg_meta_ads__ads_insights') }}
    group by 1

),

staged_conversions as (

    select
        date_day,
        sum(coalesce(action_count, 0)) as conversions,
        sum(coalesce(action_value, 0)) as conversions_value

    from {{ ref('stg_meta_ads__ads_insights_actions') }}
    where {{ argo.is_in_list('action_type', conversion_action_types) }}
    group by 1

),

staged_totals as (

    select
        staged_delivery.date_day,
        'staging' as layer,
        staged_delivery.ad_rows,
        staged_delivery.spend,
        staged_delivery.impressions,
        staged_delivery.clicks,
        coalesce(staged_conversions.conversions, 0) as conversions,
        coalesce(staged_conversions.conversions_value, 0) as conversions_value

    from staged_delivery
    left join staged_conversions
        on staged_delivery.date_day = staged_conversions.date_day

),

mapped_totals as (

    select
        date_day,
        'mapped' as layer,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('int_meta_ads__ad_performance_mapped') }}
    group by 1

),

all_totals as (

    select * from staged_totals
    union all
    select * from mapped_totals

),

compared as (

    select
        date_day,
        count(*) as layers,
        max(ad_rows) - min(ad_rows) as ad_rows_spread,
        max(spend) - min(spend) as spend_spread,
        max(impressions) - min(impressions) as impressions_spread,
        max(clicks) - min(clicks) as clicks_spread,
        max(conversions) - min(conversions) as conversions_spread,
        max(conversions_value) - min(conversions_value) as conversions_value_spread

    from all_totals
    group by 1

)

select *
from compared
where
    layers != 2
    or ad_rows_spread != 0
    or spend_spread != 0
    or impressions_spread != 0
    or clicks_spread != 0
    or conversions_spread > 0.000001
    or conversions_value_spread != 0
