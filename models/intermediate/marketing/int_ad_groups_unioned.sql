{#- ARGO's cross-platform ad group columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_name', 'data_type': dbt.type_string()},
    {'name': 'status', 'data_type': dbt.type_string()},
    {'name': 'is_active', 'data_type': dbt.type_boolean()},
    {'name': 'bidding_goal', 'data_type': dbt.type_string()},
    {'name': 'created_at', 'data_type': dbt.type_timestamp()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_meta_ads__ad_groups_mapped')
            if var('meta_ads__enabled') else none,
        ref('int_google_ads__ad_groups_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__ad_groups_mapped')
            if var('naver_searchad__enabled') else none,
        ref('int_kakao_moment__ad_groups_mapped')
            if var('kakao_moment__enabled') else none,
    ]) }}

)

select * from unioned
