{%- set primary_station = var('weather__primary_station') -%}

with

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

holidays as (

    {% if var('kr_holidays__enabled', true) -%}
        select * from {{ ref('stg_kr_holidays__holidays') }}
        where is_holiday
    {%- else -%}
        select
            cast(null as date) as holiday_date,
            cast(null as {{ dbt.type_string() }}) as holiday_name,
            false as is_substitute
        where 1 = 0
    {%- endif %}

),

-- Two holidays can fall on one day (e.g. Buddha's Birthday on Children's Day): one row
-- per day, the names joined.
holiday_days as (

    select
        holiday_date,
        {{ dbt.listagg('holiday_name', "' / '", "order by holiday_name") }} as holiday_name,
        max(case when is_substitute then 1 else 0 end) = 1 as is_substitute_holiday

    from holidays
    group by 1

),

weather as (

    select * from {{ ref('int_weather_daily') }}
    where station_id = '{{ primary_station }}'

),

final as (

    select
        calendar.date_day,
        cast({{ dbt.date_trunc('week', 'calendar.date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'calendar.date_day') }} as date) as month_start_date,
        cast({{ argo.day_of_week('calendar.date_day') }} as {{ dbt.type_int() }}) as day_of_week,
        {{ argo.day_name('calendar.date_day') }} as day_name,
        {{ argo.day_of_week('calendar.date_day') }} >= 6 as is_weekend,
        holiday_days.holiday_date is not null as is_holiday,
        holiday_days.holiday_name,
        coalesce(holiday_days.is_substitute_holiday, false) as is_substitute_holiday,
        {{ argo.day_of_week('calendar.date_day') }} < 6
        and holiday_days.holiday_date is null as is_business_day,
        weather.station_id as weather_station_id,
        weather.station_name as weather_station_name,
        weather.avg_temp_c,
        weather.min_temp_c,
        weather.max_temp_c,
        weather.precipitation_mm,
        -- 1 mm or more, as the KMA counts days of precipitation; null without weather.
        weather.precipitation_mm >= 1 as is_rainy_day

    from calendar
    left join holiday_days
        on calendar.date_day = holiday_days.holiday_date
    left join weather
        on calendar.date_day = weather.date_day

)

select * from final
