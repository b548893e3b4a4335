{#- Installs of every enabled tracker (int_<tracker>__installs_daily) in one column set. -#}
{%- set columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'tracker', 'data_type': dbt.type_string()},
    {'name': 'app_id', 'data_type': dbt.type_string()},
    {'name': 'media_source', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'campaign_name', 'data_type': dbt.type_string()},
    {'name': 'country_code', 'data_type': dbt.type_string()},
    {'name': 'installs', 'data_type': dbt.type_bigint()},
    {'name': 'revenue_currency_code', 'data_type': dbt.type_string()},
] -%}

with

unioned as (

    {{ argo.union_enabled_sources(['appsflyer', 'adjust'], 'installs_daily', columns) }}

)

select * from unioned
