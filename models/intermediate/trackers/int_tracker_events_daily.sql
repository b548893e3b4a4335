{#- In-app events of every enabled tracker in one column set. -#}
{%- set columns = [
    {'name': 'date_day', 'data_type': 'date'},
    {'name': 'tracker', 'data_type': dbt.type_string()},
    {'name': 'app_id', 'data_type': dbt.type_string()},
    {'name': 'media_source', 'data_type': dbt.type_string()},
    {'name': 'campaign_id', 'data_type': dbt.type_string()},
    {'name': 'country_code', 'data_type': dbt.type_string()},
    {'name': 'event_name', 'data_type': dbt.type_string()},
    {'name': 'event_count', 'data_type': dbt.type_bigint()},
    {'name': 'unique_users', 'data_type': dbt.type_bigint()},
    {'name': 'revenue', 'data_type': dbt.type_numeric()},
    {'name': 'revenue_currency_code', 'data_type': dbt.type_string()},
] -%}

with

unioned as (

    {{ argo.union_models(columns, [
        ref('int_appsflyer__events_daily')
            if var('appsflyer__enabled') else none,
        ref('int_adjust__events_daily')
            if var('adjust__enabled') else none,
    ]) }}

)

select * from unioned
