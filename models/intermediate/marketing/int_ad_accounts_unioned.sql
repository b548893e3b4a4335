{#- ARGO's cross-platform ad account columns: every platform's mapping model has them. -#}
{%- set columns = [
    {'name': 'platform', 'data_type': dbt.type_string()},
    {'name': 'source_relation', 'data_type': dbt.type_string()},
    {'name': 'account_id', 'data_type': dbt.type_string()},
    {'name': 'account_name', 'data_type': dbt.type_string()},
    {'name': 'currency_code', 'data_type': dbt.type_string()},
    {'name': 'timezone_name', 'data_type': dbt.type_string()},
    {'name': 'account_status', 'data_type': dbt.type_string()},
    {'name': 'is_active', 'data_type': dbt.type_boolean()},
] -%}

with

unioned as (

    {{ argo.union_ad_platforms('ad_accounts_mapped', columns) }}

)

select * from unioned
