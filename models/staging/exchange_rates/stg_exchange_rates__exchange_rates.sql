{{ config(enabled=var('exchange_rates__enabled', true)) }}

{%- set source_table = source('exchange_rates', 'exchange_rates') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(provider as {{ dbt.type_string() }}) as data_provider,
        cast(rate_date as date) as rate_date,
        cast(upper(trim(base_currency)) as {{ dbt.type_string() }}) as base_currency,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(quoted_units as {{ dbt.type_int() }}) as quoted_units,
        cast(quoted_rate as {{ dbt.type_numeric() }}) as quoted_rate,
        cast(rate_per_unit as decimal(24, 10)) as rate_per_unit,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
