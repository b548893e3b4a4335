{{ config(enabled=var('weather__enabled', true)) }}

{%- set source_table = source('weather', 'daily_weather') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(provider as {{ dbt.type_string() }}) as data_provider,
        cast(station_id as {{ dbt.type_string() }}) as station_id,
        cast(station_name as {{ dbt.type_string() }}) as station_name,
        cast(weather_date as date) as date_day,
        cast(avg_temp_c as {{ argo.type_double() }}) as avg_temp_c,
        cast(min_temp_c as {{ argo.type_double() }}) as min_temp_c,
        cast(max_temp_c as {{ argo.type_double() }}) as max_temp_c,
        cast(precipitation_mm as {{ argo.type_double() }}) as precipitation_mm,
        cast(avg_wind_speed_ms as {{ argo.type_double() }}) as avg_wind_speed_ms,
        cast(avg_humidity_pct as {{ argo.type_double() }}) as avg_humidity_pct,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
