{#
    Budget pacing: one row per budget (`budget_id`) and day of its period, from the
    period's first day to the period's last or the as-of day (the newest `date_day` of
    rpt_campaign_performance_daily), whichever comes first. Each day is paced against the
    budget's version in force on it (a budget raised on the 16th paces against the new
    amount from the 16th) and its daily curve (int_pacing__curves; docs/automation.md,
    "Pacing"). A period that starts after the as-of day, or before the warehouse's first
    day (its spend to date is not all there), has no rows.
#}
{%- set run_rate_days = var('argo__pacing_run_rate_days') -%}
{%- set start_tolerance = var('argo__pacing_start_tolerance') -%}
{%- set end_tolerance = var('argo__pacing_end_tolerance') -%}
{%- set money = "cast(cast(round(@@, 0) as decimal(38, 0)) as " ~ dbt.type_string() ~ ")" -%}
{%- set one_decimal =
    "cast(cast(round(@@, 1) as decimal(18, 1)) as " ~ dbt.type_string() ~ ")" -%}
{%- set percent =
    "cast(cast(round(100 * @@, 0) as decimal(18, 0)) as " ~ dbt.type_string() ~ ")" -%}
with

versions as (

    select * from {{ ref('int_pacing__budget_versions') }}

),

periods as (

    select distinct
        budget_id,
        scope_key,
        advertiser_id,
        advertiser_name,
        platform,
        account_id,
        campaign_id,
        budget_type,
        period_start,
        period_end

    from versions

),

curves as (

    select * from {{ ref('int_pacing__curves') }}

),

day_weights as (

    select * from {{ ref('int_pacing__day_weights') }}

),

scope_spend as (

    select * from {{ ref('int_pacing__scope_spend_daily') }}

),

data_days as (

    select
        min(date_day) as first_day,
        max(date_day) as as_of_day

    from scope_spend

),

-- Every day of every period (and the run rate's days before it), with the scope's spend
-- on it: null before the warehouse's first day and after the as-of day.
daily as (

    select
        periods.*,
        day_weights.date_day,
        day_weights.is_in_period,
        day_weights.is_holiday,
        day_weights.day_weight,
        scope_spend.spend_in_reporting_currency as spend_rc

    from periods
    inner join day_weights
        on periods.budget_id = day_weights.budget_id
    left join scope_spend
        on
            periods.scope_key = scope_spend.scope_key
            and day_weights.date_day = scope_spend.date_day

),

running as (

    select
        *,
        sum(case when is_in_period then coalesce(spend_rc, 0) else 0 end) over (
            partition by budget_id order by date_day
            rows between unbounded preceding and current row
        ) as spend_to_date_rc,
        sum(case when is_in_period then day_weight else 0 end) over (
            partition by budget_id order by date_day
            rows between unbounded preceding and current row
        ) as weight_to_date,
        sum(case when is_in_period then day_weight else 0 end) over (
            partition by budget_id
        ) as period_weight,
        -- The run rate reads the period's own days only: on its first days, the days so
        -- far (a month that starts at 1.8x or 0.45x the last one is seen on day 1).
        sum(case when is_in_period then spend_rc end) over (
            partition by budget_id order by date_day
            rows between {{ run_rate_days - 1 }} preceding and current row
        ) as run_rate_spend_rc,
        sum(case when is_in_period and spend_rc is not null then day_weight end) over (
            partition by budget_id order by date_day
            rows between {{ run_rate_days - 1 }} preceding and current row
        ) as run_rate_weight,
        -- Days counted on the calendar (dim_dates) rather than by date arithmetic, which
        -- has no form that is the same SQL on both engines.
        sum(case when is_in_period then 1 else 0 end) over (
            partition by budget_id
        ) as days_in_period,
        sum(case when is_in_period then 1 else 0 end) over (
            partition by budget_id order by date_day
            rows between unbounded preceding and current row
        ) as days_elapsed

    from daily

),

-- The days paced, each with the version of the budget in force on it.
in_force as (

    select
        running.*,
        versions.valid_from as version_valid_from,
        versions.amount,
        versions.currency_code,
        versions.amount_in_reporting_currency,
        versions.reporting_currency_code,
        cast(versions.amount as {{ argo.type_double() }}) as amount_value,
        -- Units of the budget's currency per unit of the reporting currency.
        {{ argo.safe_divide('versions.amount', 'versions.amount_in_reporting_currency') }}
            as to_budget_currency

    from running
    cross join data_days
    inner join versions
        on
            running.budget_id = versions.budget_id
            and running.date_day between versions.effective_from and versions.valid_to
    where
        running.is_in_period
        and running.date_day <= data_days.as_of_day
        and running.period_start >= data_days.first_day

),

measured as (

    select
        *,
        spend_to_date_rc * to_budget_currency as spend_to_date_value,
        spend_rc * to_budget_currency as spend_on_day_value,
        amount_value * coalesce(
            {{ argo.safe_divide('weight_to_date', 'period_weight') }},
            {{ argo.safe_divide('days_elapsed', 'days_in_period') }}
        ) as expected_value,
        coalesce({{ argo.safe_divide('run_rate_spend_rc', 'run_rate_weight') }}, 0)
        * to_budget_currency as spend_per_weight,
        period_weight - weight_to_date as remaining_weight,
        days_in_period - days_elapsed as days_remaining,
        {{ start_tolerance }} - ({{ start_tolerance }} - {{ end_tolerance }})
        * {{ argo.safe_divide('days_elapsed', 'days_in_period') }} as tolerance

    from in_force

),

projected as (

    select
        *,
        spend_to_date_value + spend_per_weight * remaining_weight as projected_value

    from measured

),

judged as (

    select
        *,
        case
            when spend_to_date_value >= amount_value then 'exhausted'
            when projected_value > amount_value * (1 + tolerance) then 'over'
            when projected_value < amount_value * (1 - tolerance) then 'under'
            else 'on_pace'
        end as pacing_status,
        (spend_to_date_value - expected_value)
        / nullif(amount_value / days_in_period, 0) as days_ahead_value

    from projected

),

with_risk as (

    select
        *,
        case
            when pacing_status = 'exhausted' then greatest(projected_value - amount_value, 0)
            when pacing_status in ('over', 'under') then abs(projected_value - amount_value)
            else 0
        end as money_at_risk_value

    from judged

),

-- The reason's numbers, as text (whole units, percents, days to one decimal).
worded as (

    select
        *,
        {{ money | replace('@@', 'spend_to_date_value') }} as spent_text,
        {{ money | replace('@@', 'amount_value') }} as amount_text,
        {{ money | replace('@@', 'projected_value') }} as projected_text,
        {{ money | replace('@@', 'expected_value') }} as expected_text,
        {{ percent | replace('@@', 'projected_value / nullif(amount_value, 0)') }} as share_text,
        {{ percent | replace('@@', 'tolerance') }} as tolerance_text,
        {{ one_decimal | replace('@@', 'abs(days_ahead_value)') }} as days_ahead_text,
        cast(days_elapsed as {{ dbt.type_string() }})
        || ' of ' || cast(days_in_period as {{ dbt.type_string() }}) as day_text

    from with_risk

),

final as (

    select
        worded.date_day,
        worded.budget_id,
        case
            when worded.campaign_id is not null then 'campaign'
            when worded.account_id is not null then 'account'
            else 'platform'
        end as scope,
        worded.advertiser_id,
        worded.advertiser_name,
        worded.platform,
        worded.account_id,
        worded.campaign_id,
        worded.advertiser_name
        || ' / ' || worded.platform
        || coalesce(' / account ' || worded.account_id, '')
        || coalesce(' / campaign ' || worded.campaign_id, '') as entity_name,
        worded.budget_type,
        worded.period_start,
        worded.period_end,
        worded.version_valid_from,
        worded.amount,
        worded.currency_code,
        worded.amount_in_reporting_currency,
        worded.reporting_currency_code,
        worded.is_holiday,
        cast(worded.day_weight as {{ argo.type_double() }}) as day_weight,
        curves.curve_kind,
        curves.curve_note,
        cast(round(worded.spend_on_day_value, 4) as {{ dbt.type_numeric() }}) as spend_on_day,
        cast(round(worded.spend_to_date_value, 4) as {{ dbt.type_numeric() }})
            as spend_to_date,
        cast(worded.spend_to_date_rc as {{ dbt.type_numeric() }})
            as spend_to_date_in_reporting_currency,
        cast(round(worded.expected_value, 4) as {{ dbt.type_numeric() }})
            as expected_spend_to_date,
        {{ argo.safe_divide('worded.spend_to_date_value', 'worded.expected_value') }}
            as pacing_ratio,
        cast(worded.days_ahead_value as {{ argo.type_double() }}) as days_ahead,
        cast(round(worded.projected_value, 4) as {{ dbt.type_numeric() }}) as projected_spend,
        cast(round(
            greatest(worded.amount_value - worded.spend_to_date_value, 0)
            / nullif(worded.days_remaining, 0),
            4
        ) as {{ dbt.type_numeric() }}) as required_daily_spend,
        cast(worded.days_elapsed as {{ dbt.type_bigint() }}) as days_elapsed,
        cast(worded.days_remaining as {{ dbt.type_bigint() }}) as days_remaining,
        cast(worded.days_in_period as {{ dbt.type_bigint() }}) as days_in_period,
        cast(worded.tolerance as {{ argo.type_double() }}) as tolerance,
        worded.pacing_status,
        cast(round(worded.money_at_risk_value, 4) as {{ dbt.type_numeric() }}) as money_at_risk,
        cast(
            worded.money_at_risk_value / worded.to_budget_currency
            as {{ argo.type_double() }}
        ) as money_at_risk_in_reporting_currency,
        case worded.pacing_status
            when 'exhausted'
                then
                    'Spent ' || worded.spent_text || ' ' || worded.currency_code
                    || ', the whole budget of ' || worded.amount_text || ' '
                    || worded.currency_code || ', by day ' || worded.day_text
                    || '; projected ' || worded.projected_text || ' at the period''s end.'
            else
                'Projected ' || worded.projected_text || ' ' || worded.currency_code
                || ' at the period''s end, ' || worded.share_text || '% of the '
                || worded.amount_text || ' budget ('
                || case when worded.pacing_status = 'on_pace' then 'within' else 'outside' end
                || ' +/-' || worded.tolerance_text || '%): ' || worded.days_ahead_text
                || case when worded.days_ahead_value >= 0 then ' days ahead' else ' days behind' end
                || ' on day ' || worded.day_text
                || ' (spent ' || worded.spent_text || ', expected ' || worded.expected_text
                || ' on '
                || case
                    when curves.curve_kind = 'even' then 'an even spread'
                    else 'the learned curve'
                end
                || ').'
        end as reason

    from worded
    inner join curves
        on worded.budget_id = curves.budget_id

)

select * from final
