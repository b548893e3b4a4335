{{ config(enabled=var('kakao_moment__enabled', true)) }}

-- Kakao Moment's mapping neither drops nor invents delivery or conversions: per day, the
-- mapped performance and conversion rows have the staged report and conversion rows'
-- counts and totals (null conversion counts and amounts read as 0).
-- Returns the days that differ.

with

staged_delivery as (

    select
        date_day,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from {{ ref('stg_kakao_moment__creative_reports') }}
    group by 1

),

staged_conversions as (

    select
        date_day,
        count(*) as conversion_rows,
        sum(coalesce(conversions, 0)) as conversions,
        sum(coalesce(conversions_value, 0)) as conversions_value

    from {{ ref('stg_kakao_moment__creative_report_conversions') }}
    group by 1

),

mapped_delivery as (

    select
        date_day,
        count(*) as ad_rows,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from {{ ref('int_kakao_moment__ad_performance_mapped') }}
    group by 1

),

mapped_conversions as (

    select
        date_day,
        count(*) as conversion_rows,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value

    from {{ ref('int_kakao_moment__ad_conversions_mapped') }}
    group by 1

),

staged_totals as (

    select
        staged_delivery.date_day,
        staged_delivery.ad_rows,
        staged_delivery.spend,
        staged_delivery.impressions,
        staged_delivery.clicks,
        coalesce(staged_conversions.conversion_rows, 0) as conversion_rows,
        coalesce(staged_conversions.conversions, 0) as conversions,
        coalesce(staged_conversions.conversions_value, 0) as conversions_value

    from staged_delivery
    left join staged_conversions
        on staged_delivery.date_day = staged_conversions.date_day

),

mapped_totals as (

    select
        mapped_delivery.date_day,
        mapped_delivery.ad_rows,
        mapped_delivery.spend,
        mapped_delivery.impressions,
        mapped_delivery.clicks,
        coalesce(mapped_conversions.conversion_rows, 0) as conversion_rows,
        coalesce(mapped_conversions.conversions, 0) as conversions,
        coalesce(mapped_conversions.conversions_value, 0) as conversions_value

    from mapped_delivery
    left join mapped_conversions
        on mapped_delivery.date_day = mapped_conversions.date_day

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
        max(conversion_rows) - min(conversion_rows) as conversion_rows_spread,
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
    or conversion_rows_spread != 0
    or conversions_spread > 0.000001
    or conversions_value_spread != 0
