{#
    The weight of each day of each budget's period in its curve (int_pacing__curves): the
    holiday weight on a Korean public holiday when one was learned, else the weekday's
    weight; 1 on an even curve. Also the var('argo__pacing_run_rate_days') - 1 days before
    the period, which the run rate of the period's first days reads.
#}
{%- set lead_days = var('argo__pacing_run_rate_days') - 1 -%}
with

periods as (

    select distinct
        budget_id,
        period_start,
        period_end

    from {{ ref('int_pacing__budget_versions') }}

),

curves as (

    select * from {{ ref('int_pacing__curves') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        periods.budget_id,
        dates.date_day,
        dates.date_day >= periods.period_start as is_in_period,
        coalesce(dates.is_holiday, false) as is_holiday,
        case
            when coalesce(dates.is_holiday, false) and curves.holiday_weight is not null
                then curves.holiday_weight
            when dates.day_of_week = 1 then curves.weekday_1_weight
            when dates.day_of_week = 2 then curves.weekday_2_weight
            when dates.day_of_week = 3 then curves.weekday_3_weight
            when dates.day_of_week = 4 then curves.weekday_4_weight
            when dates.day_of_week = 5 then curves.weekday_5_weight
            when dates.day_of_week = 6 then curves.weekday_6_weight
            when dates.day_of_week = 7 then curves.weekday_7_weight
        end as day_weight

    from periods
    inner join curves
        on periods.budget_id = curves.budget_id
    inner join dates
        on
            cast({{ dbt.dateadd('day', -lead_days, 'periods.period_start') }} as date)
            <= dates.date_day
            and periods.period_end >= dates.date_day

)

select * from final
