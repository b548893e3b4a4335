{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'customers') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(descriptive_name as {{ dbt.type_string() }}) as account_name,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(time_zone as {{ dbt.type_string() }}) as timezone_name,
        cast(status as {{ dbt.type_string() }}) as account_status,
        coalesce(manager, false) as is_manager,
        coalesce(test_account, false) as is_test_account,
        coalesce(status = 'ENABLED', false) as is_active,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
