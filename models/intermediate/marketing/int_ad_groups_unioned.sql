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
    {'name': 'is_inferred_from_performance', 'data_type': dbt.type_boolean()},
] -%}

with

unioned as (

    {{ argo.union_ad_platforms('ad_groups_mapped', columns) }}

)

select * from unioned
