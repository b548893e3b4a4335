{#- ARGO's cross-platform campaign columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_name', 'data_type': dbt.type_string()},
    {'name': 'objective', 'data_type': dbt.type_string()},
    {'name': 'status', 'data_type': dbt.type_string()},
    {'name': 'effective_status', 'data_type': dbt.type_string()},
    {'name': 'is_active', 'data_type': dbt.type_boolean()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'daily_budget', 'data_type': dbt.type_numeric()},
    {'name': 'lifetime_budget', 'data_type': dbt.type_numeric()},
    {'name': 'created_at', 'data_type': dbt.type_timestamp()},
    {'name': 'updated_at', 'data_type': dbt.type_timestamp()},
    {'name': 'start_at', 'data_type': dbt.type_timestamp()},
    {'name': 'stop_at', 'data_type': dbt.type_timestamp()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_meta_ads__campaigns_mapped')
            if var('meta_ads__enabled') else none,
        ref('int_google_ads__campaigns_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__campaigns_mapped')
            if var('naver_searchad__enabled') else none,
        ref('int_kakao_moment__campaigns_mapped')
            if var('kakao_moment__enabled') else none,
    ]) }}

)

select * from unioned
