with

weather as (

    select * from {{ ref('int_weather_daily') }}

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
        -- 1 mm or more: a rainy day as the KMA counts days of precipitation.
        avg_wind_speed_ms,
        avg_humidity_pct,
        precipitation_mm >= 1 as is_rainy_day

    from weather

)

select * from final
