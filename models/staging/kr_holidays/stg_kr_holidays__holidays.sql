{{ config(enabled=var('kr_holidays__enabled', true)) }}

{%- set source_table = source('kr_holidays', 'holidays') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(holiday_date as date) as holiday_date,
        cast(holiday_name as {{ dbt.type_string() }}) as holiday_name,
        coalesce(is_holiday, false) as is_holiday,
        cast(date_kind as {{ dbt.type_string() }}) as date_kind,
        cast(seq as {{ dbt.type_int() }}) as seq,
        coalesce(is_substitute, false) as is_substitute,
        cast(provider as {{ dbt.type_string() }}) as data_provider,
        matches_holidays_package,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
