{#- Daily weather per station: the first provider of var('weather__providers') with data. -#}
{%- set providers = var('weather__providers') -%}

with

observed as (

    {% if var('weather__enabled', true) -%}
        select * from {{ ref('stg_weather__daily_weather') }}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as data_provider,
            cast(null as {{ dbt.type_string() }}) as station_id,
            cast(null as {{ dbt.type_string() }}) as station_name,
            cast(null as date) as date_day,
            cast(null as {{ argo.type_double() }}) as avg_temp_c,
            cast(null as {{ argo.type_double() }}) as min_temp_c,
            cast(null as {{ argo.type_double() }}) as max_temp_c,
            cast(null as {{ argo.type_double() }}) as precipitation_mm,
            cast(null as {{ argo.type_double() }}) as avg_wind_speed_ms,
            cast(null as {{ argo.type_double() }}) as avg_humidity_pct
        where 1 = 0
    {%- endif %}

),

ranked as (

    select
        data_provider,
        station_id,
        station_name,
        date_day,
        avg_temp_c,
        min_temp_c,
        max_temp_c,
        precipitation_mm,
        avg_wind_speed_ms,
        avg_humidity_pct,
        row_number() over (
            partition by station_id, date_day
            order by {{ argo.provider_preference(providers) }}, data_provider
        ) as provider_rank

    from observed

),

final as (

    select
        date_day,
        station_id,
        station_name,
        data_provider,
        avg_temp_c,
        min_temp_c,
        max_temp_c,
        precipitation_mm,
        avg_wind_speed_ms,
        avg_humidity_pct

    from ranked
    where provider_rank = 1

)

select * from final
