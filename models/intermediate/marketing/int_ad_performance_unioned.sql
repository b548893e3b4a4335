{#- ARGO's cross-platform delivery columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'ad_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'impressions', 'data_type': dbt.type_bigint()},
    {'name': 'clicks', 'data_type': dbt.type_bigint()},
    {'name': 'spend', 'data_type': dbt.type_numeric()},
    {'name': 'reach', 'data_type': dbt.type_bigint()},
] -%}

with

delivery as (

    {{ argo.union_models(columns, [
        ref('int_meta_ads__ad_performance_mapped')
            if var('meta_ads__enabled') else none,
        ref('int_google_ads__ad_performance_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__ad_performance_mapped')
            if var('naver_searchad__enabled') else none,
        ref('int_kakao_moment__ad_performance_mapped')
            if var('kakao_moment__enabled') else none,
    ]) }}

),

conversions as (

    select * from {{ ref('int_ad_conversions_unioned') }}
    where is_counted

),

-- One row per ad-day: delivery and counted conversions stacked and summed, so an ad-day
-- with delivery but no conversion has 0 conversions and conversions reported on a day
-- without delivery still count (with 0 impressions): no total is lost.
summed as (

    {{ argo.sum_delivery_and_conversions(
        'delivery',
        'conversions',
        grain=[
            'date_day', 'platform', 'account_id', 'campaign_id', 'ad_group_id', 'ad_id',
            'currency_code',
        ],
        extra_counts=['reach'],
    ) }}

)

select * from summed
