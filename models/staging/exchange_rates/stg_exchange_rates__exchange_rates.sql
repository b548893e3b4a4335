{{ config(enabled=var('exchange_rates__enabled', true)) }}

{%- set source_table = source('exchange_rates', 'exchange_rates') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(provider as {{ dbt.type_string() }}) as data_provider,
        cast(rate_date as date) as rate_date,
        cast(upper(trim(base_currency)) as {{ dbt.type_string() }}) as base_currency,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(quoted_units as {{ dbt.type_int() }}) as quoted_units,
        cast(quoted_rate as {{ dbt.type_numeric() }}) as quoted_rate,
        cast(rate_per_unit as decimal(24, 10)) as rate_per_unit,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
