{#- ARGO's cross-platform performance columns: every platform's mapping model has them. -#}
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
    {'name': 'conversions', 'data_type': argo.type_double()},
    {'name': 'conversions_value', 'data_type': dbt.type_numeric()},
] -%}

with

unioned as (

    {{ argo.union_ad_platforms('ad_performance_mapped', columns) }}

)

select * from unioned
