{#- Daily keyword delivery and counted conversions of the enabled search platforms. -#}
{%- set delivery_columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'impressions', 'data_type': dbt.type_bigint()},
    {'name': 'clicks', 'data_type': dbt.type_bigint()},
    {'name': 'spend', 'data_type': dbt.type_numeric()},
] -%}
{%- set conversion_columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'conversion_type', 'data_type': dbt.type_string()},
    {'name': 'conversions', 'data_type': argo.type_double()},
    {'name': 'conversions_value', 'data_type': dbt.type_numeric()},
] -%}

with

delivery as (

    {{ argo.union_models(delivery_columns, [
        ref('int_google_ads__keyword_performance_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__keyword_performance_mapped')
            if var('naver_searchad__enabled') else none,
    ]) }}

),

conversions as (

    {{ argo.union_models(conversion_columns, [
        ref('int_google_ads__keyword_conversions_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__keyword_conversions_mapped')
            if var('naver_searchad__enabled') else none,
    ]) }}

),

counted_types as (

    select
        platform,
        conversion_type

    from {{ ref('ad_conversion_types') }}
    where is_counted

),

counted_conversions as (

    select conversions.*
    from conversions
    inner join counted_types
        on
            conversions.platform = counted_types.platform
            and conversions.conversion_type = counted_types.conversion_type

),

-- One row per keyword-day, stacked and summed as in int_ad_performance_unioned.
summed as (

    {{ argo.sum_delivery_and_conversions(
        'delivery',
        'counted_conversions',
        grain=[
            'date_day', 'platform', 'account_id', 'campaign_id', 'ad_group_id', 'keyword_id',
            'currency_code',
        ],
    ) }}

)

select * from summed
