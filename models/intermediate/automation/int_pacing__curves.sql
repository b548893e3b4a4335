{#
    Each budget's daily curve, learned before its period starts from the spend of its own
    scope (the advertiser's campaigns the budget covers):
    - weekday weights: the mean spend on each weekday over the var('argo__pacing_curve_weeks')
      weeks before the period start, holidays excluded, over the mean spend of all those
      ordinary days (a weight of 1 is an average day). Only days from the scope's first
      day with spend count, so a new advertiser's empty weeks do not flatten the curve.
    - the holiday weight: over the Korean public holidays of the
      var('argo__pacing_holiday_lookback_days') days before the period start, the spend on
      those holidays over the mean spend of the ordinary days within
      var('argo__pacing_holiday_neighbour_days') days of each (a ratio of sums). With
      fewer than var('argo__pacing_min_past_holidays') such holidays it is null and a
      holiday takes its weekday's weight.
    - with fewer than var('argo__pacing_min_history_days') ordinary days of history (or no
      spend in them) the curve is even: every day weighs 1 (`curve_kind` 'even').
#}
{%- set curve_days = var('argo__pacing_curve_weeks') * 7 -%}
{%- set min_history_days = var('argo__pacing_min_history_days') -%}
{%- set min_past_holidays = var('argo__pacing_min_past_holidays') -%}
{%- set holiday_lookback_days = var('argo__pacing_holiday_lookback_days') -%}
{%- set neighbour_days = var('argo__pacing_holiday_neighbour_days') -%}
with

budgets as (

    select distinct
        budget_id,
        scope_key,
        period_start

    from {{ ref('int_pacing__budget_versions') }}

),

scope_spend as (

    select * from {{ ref('int_pacing__scope_spend_daily') }}

),

first_spend as (

    select
        scope_key,
        min(date_day) as first_spend_day

    from scope_spend
    where spend_in_reporting_currency > 0
    group by 1

),

-- Each budget's history: its scope's days before the period, from the first day with spend.
history as (

    select
        budgets.budget_id,
        budgets.period_start,
        scope_spend.date_day,
        scope_spend.day_of_week,
        scope_spend.is_holiday,
        scope_spend.spend_in_reporting_currency as spend

    from budgets
    inner join first_spend
        on budgets.scope_key = first_spend.scope_key
    inner join scope_spend
        on
            budgets.scope_key = scope_spend.scope_key
            and budgets.period_start > scope_spend.date_day
            and first_spend.first_spend_day <= scope_spend.date_day
            and cast(
                {{ dbt.dateadd('day', -holiday_lookback_days, 'budgets.period_start') }} as date
            ) <= scope_spend.date_day

),

ordinary_days as (

    select *
    from history
    where
        not is_holiday
        and date_day >= cast({{ dbt.dateadd('day', -curve_days, 'period_start') }} as date)

),

overall as (

    select
        budget_id,
        count(*) as history_days,
        avg({{ argo.safe_divide('spend', 1) }}) as mean_daily_spend

    from ordinary_days
    group by 1

),

by_weekday as (

    select
        budget_id,
        day_of_week,
        avg({{ argo.safe_divide('spend', 1) }}) as mean_weekday_spend

    from ordinary_days
    group by 1, 2

),

by_weekday_weighted as (

    select
        by_weekday.budget_id,
        by_weekday.day_of_week,
        {{ argo.safe_divide('by_weekday.mean_weekday_spend', 'overall.mean_daily_spend') }}
            as weekday_weight

    from by_weekday
    inner join overall
        on by_weekday.budget_id = overall.budget_id

),

weekday_weights as (

    select
        overall.budget_id,
        overall.history_days,
        overall.mean_daily_spend,
        max(case when by_weekday.day_of_week = 1 then by_weekday.weekday_weight end)
            as weekday_1_weight,
        max(case when by_weekday.day_of_week = 2 then by_weekday.weekday_weight end)
            as weekday_2_weight,
        max(case when by_weekday.day_of_week = 3 then by_weekday.weekday_weight end)
            as weekday_3_weight,
        max(case when by_weekday.day_of_week = 4 then by_weekday.weekday_weight end)
            as weekday_4_weight,
        max(case when by_weekday.day_of_week = 5 then by_weekday.weekday_weight end)
            as weekday_5_weight,
        max(case when by_weekday.day_of_week = 6 then by_weekday.weekday_weight end)
            as weekday_6_weight,
        max(case when by_weekday.day_of_week = 7 then by_weekday.weekday_weight end)
            as weekday_7_weight

    from overall
    inner join by_weekday_weighted as by_weekday
        on overall.budget_id = by_weekday.budget_id
    group by 1, 2, 3

),

-- Each past holiday beside the mean of the ordinary days around it (before the period).
past_holidays as (

    select
        holidays.budget_id,
        holidays.date_day,
        max(holidays.spend) as holiday_spend,
        avg({{ argo.safe_divide('neighbours.spend', 1) }}) as neighbour_mean_spend

    from history as holidays
    inner join history as neighbours
        on
            holidays.budget_id = neighbours.budget_id
            and not neighbours.is_holiday
            and neighbours.date_day
            between cast({{ dbt.dateadd('day', -neighbour_days, 'holidays.date_day') }} as date)
            and cast({{ dbt.dateadd('day', neighbour_days, 'holidays.date_day') }} as date)
    where holidays.is_holiday
    group by 1, 2

),

holiday_weights as (

    select
        budget_id,
        count(*) as past_holidays,
        {{ argo.safe_divide('sum(holiday_spend)', 'sum(neighbour_mean_spend)') }}
            as learned_holiday_weight

    from past_holidays
    where neighbour_mean_spend > 0
    group by 1

),

combined as (

    select
        budgets.budget_id,
        coalesce(weekday_weights.history_days, 0) as history_days,
        coalesce(holiday_weights.past_holidays, 0) as past_holidays,
        coalesce(weekday_weights.history_days, 0) >= {{ min_history_days }}
        and coalesce(weekday_weights.mean_daily_spend, 0) > 0 as is_learned,
        coalesce(weekday_weights.mean_daily_spend, 0) > 0 as has_spend,
        holiday_weights.learned_holiday_weight,
        weekday_weights.weekday_1_weight,
        weekday_weights.weekday_2_weight,
        weekday_weights.weekday_3_weight,
        weekday_weights.weekday_4_weight,
        weekday_weights.weekday_5_weight,
        weekday_weights.weekday_6_weight,
        weekday_weights.weekday_7_weight

    from budgets
    left join weekday_weights
        on budgets.budget_id = weekday_weights.budget_id
    left join holiday_weights
        on budgets.budget_id = holiday_weights.budget_id

),

-- The note's pieces, as text.
worded as (

    select
        *,
        cast(history_days as {{ dbt.type_string() }}) as history_days_text,
        cast(past_holidays as {{ dbt.type_string() }}) as past_holidays_text,
        cast(
            cast(round(learned_holiday_weight, 2) as decimal(18, 2)) as {{ dbt.type_string() }}
        ) as holiday_weight_text

    from combined

),

final as (

    select
        budget_id,
        history_days,
        past_holidays,
        case when is_learned then 'learned' else 'even' end as curve_kind,
        case when is_learned then coalesce(weekday_1_weight, 1) else 1 end
            as weekday_1_weight,
        case when is_learned then coalesce(weekday_2_weight, 1) else 1 end
            as weekday_2_weight,
        case when is_learned then coalesce(weekday_3_weight, 1) else 1 end
            as weekday_3_weight,
        case when is_learned then coalesce(weekday_4_weight, 1) else 1 end
            as weekday_4_weight,
        case when is_learned then coalesce(weekday_5_weight, 1) else 1 end
            as weekday_5_weight,
        case when is_learned then coalesce(weekday_6_weight, 1) else 1 end
            as weekday_6_weight,
        case when is_learned then coalesce(weekday_7_weight, 1) else 1 end
            as weekday_7_weight,
        case
            when is_learned and past_holidays >= {{ min_past_holidays }}
                then learned_holiday_weight
        end as holiday_weight,
        case
            when history_days < {{ min_history_days }}
                then
                    'even spread: fewer than {{ min_history_days }} days of history'
                    || ' before the period (' || history_days_text || ')'
            when not has_spend
                then
                    'even spread: no spend in the {{ var("argo__pacing_curve_weeks") }} weeks'
                    || ' before the period'
            when past_holidays < {{ min_past_holidays }}
                then
                    'learned by weekday from ' || history_days_text
                    || ' days; fewer than {{ min_past_holidays }} past holidays ('
                    || past_holidays_text || '), so holidays take their weekday''s weight'
            else
                'learned by weekday from ' || history_days_text
                || ' days; holidays weigh ' || holiday_weight_text
                || ' of an ordinary day, from ' || past_holidays_text || ' past holidays'
        end as curve_note

    from worded

)

select * from final
