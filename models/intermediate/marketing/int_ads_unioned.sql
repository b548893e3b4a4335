{#- ARGO's cross-platform ad columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'ad_id', 'data_type': dbt.type_string()},
    {'name': 'ad_name', 'data_type': dbt.type_string()},
    {'name': 'ad_type', 'data_type': dbt.type_string()},
    {'name': 'status', 'data_type': dbt.type_string()},
    {'name': 'effective_status', 'data_type': dbt.type_string()},
    {'name': 'is_active', 'data_type': dbt.type_boolean()},
    {'name': 'created_at', 'data_type': dbt.type_timestamp()},
    {'name': 'landing_url', 'data_type': dbt.type_string()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_meta_ads__ads_mapped')
            if var('meta_ads__enabled') else none,
        ref('int_google_ads__ads_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__ads_mapped')
            if var('naver_searchad__enabled') else none,
        ref('int_kakao_moment__ads_mapped')
            if var('kakao_moment__enabled') else none,
    ]) }}

)

select * from unioned
