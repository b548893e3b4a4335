with

weather as (

    select * from {{ ref('int_weather_daily') }}

),

final as (

    select
        weather.*,
        -- 1 mm or more: a rainy day as the KMA counts days of precipitation.
        weather.precipitation_mm >= 1 as is_rainy_day

    from weather

)

select * from final
