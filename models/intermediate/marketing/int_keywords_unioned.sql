{#- Keywords of the enabled search platforms: those that sell keywords. -#}
{%- set columns = [
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'ad_group_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_id', 'data_type': dbt.type_string()},
    {'name': 'keyword_text', 'data_type': dbt.type_string()},
    {'name': 'match_type', 'data_type': dbt.type_string()},
    {'name': 'status', 'data_type': dbt.type_string()},
    {'name': 'is_active', 'data_type': dbt.type_boolean()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_google_ads__keywords_mapped')
            if var('google_ads__enabled') else none,
        ref('int_naver_searchad__keywords_mapped')
            if var('naver_searchad__enabled') else none,
    ]) }}

)

select * from unioned
