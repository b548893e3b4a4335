{{ config(enabled=var('kr_holidays__enabled', true)) }}

{%- set source_table = source('kr_holidays', 'holidays') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(holiday_date as date) as holiday_date,
        cast(holiday_name as {{ dbt.type_string() }}) as holiday_name,
        coalesce(is_holiday, false) as is_holiday,
        cast(date_kind as {{ dbt.type_string() }}) as date_kind,
        cast(seq as {{ dbt.type_int() }}) as seq,
        coalesce(is_substitute, false) as is_substitute,
        cast(provider as {{ dbt.type_string() }}) as data_provider,
        matches_holidays_package,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
