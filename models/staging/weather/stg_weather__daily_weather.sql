{{ config(enabled=var('weather__enabled', true)) }}

{%- set source_table = source('weather', 'daily_weather') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
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
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
