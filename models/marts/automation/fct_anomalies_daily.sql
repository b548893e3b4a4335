-- One row per day and anomaly_id (detector, metric, entity) where a detector fired:
-- the score's alerts of fct_metric_scores_daily (a CPA rising through every gate is a
-- cost_per_result_jump) and the named detectors tracking_broken, delivery_stopped and
-- data_missing; then one cause is reported once (see the suppression below).
--
-- Incremental like the daily facts (macros/incremental_marts.sql): a run rewrites the
-- days of its window. Its detectors look back a few rows per entity (the day before, the
-- zero-spend and consecutive-day runs), so it reads its inputs from that many days
-- before the window; a day's alerts depend on nothing later, and the scores before the
-- window do not change (fct_metric_scores_daily).
{{ config(**argo.incremental_mart_config(unique_key=['date_day', 'anomaly_id'])) }}
{%- set window_start = argo.lookback_window_start_of_this()
    if execute and is_incremental() else none %}
{%- set looks_back = [
    var('anomalies__delivery_stopped_min_zero_days'), var('anomalies__min_consecutive_days'), 1
] | max %}
{%- set inputs_from = none if window_start is none
    else window_start - modules.datetime.timedelta(days=looks_back) %}
{%- set read_from = '1 = 1' if inputs_from is none
    else "date_day >= cast('" ~ inputs_from ~ "' as date)" %}
{%- set written_from = '1 = 1' if window_start is none
    else "date_day >= cast('" ~ window_start ~ "' as date)" %}
{%- set min_days = var('anomalies__min_baseline_days') %}
{%- set min_holidays = var('anomalies__min_holiday_baseline_days') %}
{%- set currency = var('reporting_currency') %}
with

scores as (

    select * from {{ ref('fct_metric_scores_daily') }}
    where {{ read_from }}

),

entity_days as (

    select * from {{ ref('int_anomalies__entity_days') }}
    where {{ read_from }}

),

-- The few metrics the named detectors read, one row per entity and day.
entity_metrics as (

    select
        entity_days.date_day,
        entity_days.entity_key,
        entity_days.scope,
        entity_days.scope_level,
        entity_days.advertiser_id,
        entity_days.advertiser_name,
        entity_days.platform,
        entity_days.account_id,
        entity_days.campaign_id,
        entity_days.entity_name,
        entity_days.is_holiday,
        entity_days.is_live_with_budget,
        entity_days.campaigns_with_rows,
        entity_days.warehouse_accounts_with_rows,
        entity_days.is_in_reporting_timezone,
        entity_days.as_of_day,
        entity_days.spend,
        lag(entity_days.campaigns_with_rows) over (
            partition by entity_days.entity_key order by entity_days.date_day
        ) as campaigns_with_rows_day_before,
        sum(case when entity_days.spend = 0 then 1 else 0 end) over (
            partition by entity_days.entity_key
            order by entity_days.date_day
            rows between {{ var('anomalies__delivery_stopped_min_zero_days') - 1 }} preceding
            and current row
        ) as zero_spend_days_in_window,
        count(*) over (
            partition by entity_days.entity_key
            order by entity_days.date_day
            rows between {{ var('anomalies__delivery_stopped_min_zero_days') - 1 }} preceding
            and current row
        ) as days_in_window,
        max(case when scores.metric = 'spend' then scores.expected_value end)
            as spend_expected,
        max(case when scores.metric = 'spend' then scores.baseline_days end)
            as spend_baseline_days,
        max(case when scores.metric = 'spend' then scores.baseline_nonzero_days end)
            as spend_baseline_nonzero_days,
        max(case when scores.metric = 'spend' then scores.baseline_kind end)
            as baseline_kind,
        max(case when scores.metric = 'clicks' then scores.value end) as clicks,
        max(case when scores.metric = 'clicks' then scores.expected_value end)
            as clicks_expected

    from entity_days
    left join scores
        on
            entity_days.entity_key = scores.entity_key
            and entity_days.date_day = scores.date_day
            and scores.metric in ('spend', 'clicks')
    group by  -- noqa: AM06
        entity_days.date_day,
        entity_days.entity_key,
        entity_days.scope,
        entity_days.scope_level,
        entity_days.advertiser_id,
        entity_days.advertiser_name,
        entity_days.platform,
        entity_days.account_id,
        entity_days.campaign_id,
        entity_days.entity_name,
        entity_days.is_holiday,
        entity_days.is_live_with_budget,
        entity_days.campaigns_with_rows,
        entity_days.warehouse_accounts_with_rows,
        entity_days.is_in_reporting_timezone,
        entity_days.as_of_day,
        entity_days.spend

),

-- A score alert stands when every gate passed, the same way, on each of the last
-- anomalies__min_consecutive_days days (noise rarely passes them twice in a row; an
-- incident that lasts does), or on one day far beyond the band: |score| and |change| at
-- least the anomalies__single_day_* minimums, on a day whose volume is at least
-- anomalies__single_day_min_volume_ratio of the baseline's (a thin day's ratio is noise).
persistent_scores as (

    select
        scores.*,
        sum(
            case when scores.is_anomaly and scores.direction = 'up' then 1 else 0 end
        ) over (
            partition by scores.entity_key, scores.metric
            order by scores.date_day
            rows between {{ var('anomalies__min_consecutive_days') - 1 }} preceding and current row
        ) as up_days_in_window,
        sum(
            case when scores.is_anomaly and scores.direction = 'down' then 1 else 0 end
        ) over (
            partition by scores.entity_key, scores.metric
            order by scores.date_day
            rows between {{ var('anomalies__min_consecutive_days') - 1 }} preceding and current row
        ) as down_days_in_window,
        min(scores.date_day) over (
            partition by scores.entity_key, scores.metric
            order by scores.date_day
            rows between {{ var('anomalies__min_consecutive_days') - 1 }} preceding and current row
        ) as window_start

    from scores

),

score_alerts as (

    select
        scores.date_day,
        case
            when scores.metric = 'cpa' and scores.direction = 'up' then 'cost_per_result_jump'
            else 'score'
        end as detector,
        scores.metric,
        scores.scope,
        scores.entity_key,
        scores.value,
        scores.expected_value,
        scores.band_low,
        scores.band_high,
        scores.score,
        scores.change_abs,
        scores.change_rel,
        scores.baseline_days,
        scores.baseline_kind,
        scores.direction,
        case scores.metric
            when 'spend' then abs(scores.change_abs)
            when 'cpc' then abs(scores.change_abs) * scores.clicks
            when 'cpa' then abs(scores.change_abs) * scores.conversions
            when 'roas' then abs(scores.change_abs) * scores.spend
            else scores.spend * least(abs(scores.change_rel), 1.0)
        end as money_at_risk_in_reporting_currency,
        cast(null as {{ dbt.type_bigint() }}) as days_count

    from persistent_scores as scores
    where
        scores.is_anomaly
        and (
            (
                case scores.direction
                    when 'up' then scores.up_days_in_window
                    else scores.down_days_in_window
                end = {{ var('anomalies__min_consecutive_days') }}
                and scores.window_start = {{ dbt.dateadd(
                    'day', 1 - var('anomalies__min_consecutive_days'), 'scores.date_day'
                ) }}
            )
            -- One day far beyond the band, on a day with its usual volume, is enough.
            or (
                scores.metric in (
                    {%- for metric in var('anomalies__single_day_metrics') %}
                        '{{ metric }}'{{ ',' if not loop.last }}
                    {%- endfor %}
                )
                and abs(scores.score) >= {{ var('anomalies__single_day_min_score') }}
                and abs(scores.change_rel) >= {{ var('anomalies__single_day_min_change_rel') }}
                and scores.volume
                >= {{ var('anomalies__single_day_min_volume_ratio') }} * scores.baseline_volume
            )
        )

),

-- Conversions or tracker installs at 0 while clicks held, where the baseline's median
-- made 0 improbable.
tracking_broken as (

    select
        scores.date_day,
        'tracking_broken' as detector,
        scores.metric,
        scores.scope,
        scores.entity_key,
        scores.value,
        scores.expected_value,
        scores.band_low,
        scores.band_high,
        scores.score,
        scores.change_abs,
        scores.change_rel,
        scores.baseline_days,
        scores.baseline_kind,
        'down' as direction,
        entity_metrics.spend as money_at_risk_in_reporting_currency,
        cast(null as {{ dbt.type_bigint() }}) as days_count

    from scores
    inner join entity_metrics
        on
            scores.entity_key = entity_metrics.entity_key
            and scores.date_day = entity_metrics.date_day
    where
        -- A campaign's own clicks: an account's clicks may hold on other campaigns while
        -- the one that brings the results has a thin day.
        entity_metrics.scope = 'campaign'
        and scores.metric in ('conversions', 'tracker_installs')
        and scores.value = 0
        and scores.expected_value >= {{ var('anomalies__tracking_min_baseline_results') }}
        and scores.baseline_days >= case
            when scores.is_holiday then {{ min_holidays }} else {{ min_days }}
        end
        and entity_metrics.clicks_expected > 0
        and entity_metrics.clicks
        >= {{ var('anomalies__tracking_min_clicks_ratio') }} * entity_metrics.clicks_expected

),

-- A live campaign with a budget that spent on most of its baseline days spends nothing
-- for anomalies__delivery_stopped_min_zero_days days in a row.
delivery_stopped as (

    select
        date_day,
        'delivery_stopped' as detector,
        'spend' as metric,
        scope,
        entity_key,
        spend as value,  -- noqa: RF04
        spend_expected as expected_value,
        cast(null as {{ argo.type_double() }}) as band_low,
        cast(null as {{ argo.type_double() }}) as band_high,
        cast(null as {{ argo.type_double() }}) as score,
        spend - spend_expected as change_abs,
        cast(-1 as {{ argo.type_double() }}) as change_rel,
        spend_baseline_days as baseline_days,
        baseline_kind,
        'down' as direction,
        spend_expected as money_at_risk_in_reporting_currency,
        cast(zero_spend_days_in_window as {{ dbt.type_bigint() }}) as days_count

    from entity_metrics
    where
        scope = 'campaign'
        and is_live_with_budget
        and days_in_window = {{ var('anomalies__delivery_stopped_min_zero_days') }}
        and zero_spend_days_in_window = days_in_window
        and spend_baseline_days >= case
            when is_holiday then {{ min_holidays }} else {{ min_days }}
        end
        and spend_baseline_nonzero_days
        >= {{ var('anomalies__delivery_stopped_min_active_share') }} * spend_baseline_days
        and spend_expected >= {{ var('anomalies__delivery_stopped_min_expected_spend') }}

),

-- An account that had rows the day before has none, while other accounts' rows arrived.
data_missing as (

    select
        date_day,
        'data_missing' as detector,
        'spend' as metric,
        scope,
        entity_key,
        cast(null as {{ argo.type_double() }}) as value,  -- noqa: RF04
        spend_expected as expected_value,
        cast(null as {{ argo.type_double() }}) as band_low,
        cast(null as {{ argo.type_double() }}) as band_high,
        cast(null as {{ argo.type_double() }}) as score,
        cast(null as {{ argo.type_double() }}) as change_abs,
        cast(null as {{ argo.type_double() }}) as change_rel,
        spend_baseline_days as baseline_days,
        baseline_kind,
        'down' as direction,
        coalesce(spend_expected, 0) as money_at_risk_in_reporting_currency,
        cast(warehouse_accounts_with_rows as {{ dbt.type_bigint() }}) as days_count

    from entity_metrics
    where
        scope = 'account'
        and campaigns_with_rows = 0
        and campaigns_with_rows_day_before > 0
        and warehouse_accounts_with_rows > 0
        -- An account that reports in a time zone other than the warehouse's may not have
        -- its newest day yet: it is judged from the day before the as-of day.
        and (is_in_reporting_timezone or date_day < as_of_day)

),

candidates as (

    select * from score_alerts
    union all
    select * from tracking_broken
    union all
    select * from delivery_stopped
    union all
    select * from data_missing

),

located as (

    select
        candidates.*,
        entity_metrics.scope_level,
        entity_metrics.advertiser_id,
        entity_metrics.advertiser_name,
        entity_metrics.platform,
        entity_metrics.account_id,
        entity_metrics.campaign_id,
        entity_metrics.entity_name,
        entity_metrics.clicks,
        entity_metrics.clicks_expected,
        candidates.detector || '|' || candidates.metric || '|' || candidates.entity_key
            as anomaly_id

    from candidates
    inner join entity_metrics
        on
            candidates.entity_key = entity_metrics.entity_key
            and candidates.date_day = entity_metrics.date_day

),

-- One cause, one alert. Between two alerts of the same day on related entities (one
-- contains the other, or the same entity), the first is dropped when:
-- the other is data_missing (a missing account explains every other drop around it);
-- the other is tracking_broken or delivery_stopped and the first is a score or
-- cost_per_result_jump alert (the named detector says it better); or both are the same
-- detector, metric and direction and the other is the finer entity (the campaign's
-- alert stands, its account's, platform's and advertiser's are not repeated).
suppressed as (

    select distinct
        alert.date_day,
        alert.anomaly_id

    from located as alert
    inner join located as other
        on
            alert.date_day = other.date_day
            and alert.advertiser_id = other.advertiser_id
            and alert.anomaly_id <> other.anomaly_id
            and coalesce(alert.platform = other.platform, true)
            and coalesce(alert.account_id = other.account_id, true)
            and coalesce(alert.campaign_id = other.campaign_id, true)
    where
        (other.detector = 'data_missing' and alert.detector <> 'data_missing')
        or (
            other.detector in ('tracking_broken', 'delivery_stopped')
            and alert.detector in ('score', 'cost_per_result_jump')
        )
        or (
            other.detector = alert.detector
            and other.metric = alert.metric
            and other.direction = alert.direction
            and other.scope_level > alert.scope_level
        )

),

kept as (

    select located.*

    from located
    left join suppressed
        on
            located.date_day = suppressed.date_day
            and located.anomaly_id = suppressed.anomaly_id
    where suppressed.anomaly_id is null

),

final as (

    select
        date_day,
        anomaly_id,
        detector,
        metric,
        scope,
        entity_key,
        advertiser_id,
        advertiser_name,
        platform,
        account_id,
        campaign_id,
        entity_name,
        value,
        expected_value,
        band_low,
        band_high,
        score,
        change_abs,
        change_rel,
        baseline_days,
        baseline_kind,
        direction,
        case
            when money_at_risk_in_reporting_currency >= {{ var('anomalies__severity_high_money') }}
                then 'high'
            when
                money_at_risk_in_reporting_currency >= {{ var('anomalies__severity_medium_money') }}
                or detector in ('tracking_broken', 'delivery_stopped', 'data_missing')
                then 'medium'
            else 'low'
        end as severity,
        cast(money_at_risk_in_reporting_currency as {{ argo.type_double() }})
            as money_at_risk_in_reporting_currency,
        '{{ currency }}' as reporting_currency_code,
        entity_name || ': ' || case detector
            when 'tracking_broken'
                then
                    metric || ' fell to 0 while clicks held ('
                    || {{ argo.anomalies_format_number('clicks') }} || ' against '
                    || {{ argo.anomalies_format_number('clicks_expected') }} || ' expected); '
                    || {{ argo.anomalies_format_number('expected_value') }} || ' ' || metric
                    || ' expected from the median of '
                    || cast(baseline_days as {{ dbt.type_string() }}) || ' baseline days.'
            when 'delivery_stopped'
                then
                    'the active campaign with a budget spent nothing for '
                    || cast(days_count as {{ dbt.type_string() }}) || ' days in a row, against '
                    || {{ argo.anomalies_format_number('expected_value') }}
                    || ' {{ currency }} a day expected from the median of '
                    || cast(baseline_days as {{ dbt.type_string() }}) || ' baseline days.'
            when 'data_missing'
                then
                    'the account reported rows the day before but has none on this day, while '
                    || cast(days_count as {{ dbt.type_string() }})
                    || ' accounts did; '
                    || coalesce({{ argo.anomalies_format_number('expected_value') }}, 'unknown')
                    || ' {{ currency }} of spend expected.'
            else
                metric || ' was ' || {{ argo.anomalies_format_metric('metric', 'value') }}
                || ' against ' || {{ argo.anomalies_format_metric('metric', 'expected_value') }}
                || ' expected (median of ' || cast(baseline_days as {{ dbt.type_string() }})
                || case
                    when baseline_kind = 'past_holidays' then ' past holidays'
                    else ' same-weekday days'
                end
                || ', band ' || {{ argo.anomalies_format_metric('metric', 'band_low') }}
                || ' to ' || {{ argo.anomalies_format_metric('metric', 'band_high') }}
                || '): ' || case when change_rel > 0 then '+' else '' end
                || {{ argo.anomalies_format_number('100 * change_rel') }}
                || '%, score ' || {{ argo.anomalies_format_number('score', 1) }}
                || ', about '
                || {{ argo.anomalies_format_number('money_at_risk_in_reporting_currency') }}
                || ' {{ currency }} at risk.'
        end as reason

    from kept

)

select * from final
where {{ written_from }}
