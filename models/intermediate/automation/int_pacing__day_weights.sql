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
            {%- for day in range(1, 8) %}
            when dates.day_of_week = {{ day }} then curves.weekday_{{ day }}_weight
            {%- endfor %}
        end as day_weight

    from periods
    inner join curves
        on periods.budget_id = curves.budget_id
    inner join dates
        on
            dates.date_day
            >= cast({{ dbt.dateadd('day', -lead_days, 'periods.period_start') }} as date)
            and dates.date_day <= periods.period_end

)

select * from final
