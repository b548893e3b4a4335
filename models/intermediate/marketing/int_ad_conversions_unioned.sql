{#- Every enabled platform's conversions by its own type, named by the seed. -#}
{%- set columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'ad_id', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'conversion_type', 'data_type': dbt.type_string()},
    {'name': 'conversions', 'data_type': argo.type_double()},
    {'name': 'conversions_value', 'data_type': dbt.type_numeric()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_meta_ads__ad_conversions_mapped')
            if var('meta_ads__enabled') else none,
        ref('int_google_ads__ad_conversions_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__ad_conversions_mapped')
            if var('naver_searchad__enabled') else none,
        ref('int_kakao_moment__ad_conversions_mapped')
            if var('kakao_moment__enabled') else none,
    ]) }}

),

conversion_types as (

    select * from {{ ref('ad_conversion_types') }}

),

named as (

    select
        unioned.date_day,
        unioned.platform,
        unioned.source_relation,
        unioned.account_id,
        unioned.campaign_id,
        unioned.ad_group_id,
        unioned.ad_id,
        unioned.currency_code,
        unioned.conversion_type,
        conversion_types.conversion_name,
        unioned.conversions,
        unioned.conversions_value,
        coalesce(conversion_types.is_counted, false) as is_counted

    from unioned
    left join conversion_types
        on
            unioned.platform = conversion_types.platform
            and unioned.conversion_type = conversion_types.conversion_type

)

select * from named
