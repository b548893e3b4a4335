{#- Keywords of the enabled search platforms (var argo__search_ad_platforms). -#}
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

    {{ argo.union_ad_platforms('keywords_mapped', columns, only=var('argo__search_ad_platforms')) }}

)

select * from unioned
