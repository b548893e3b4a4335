-- One row per day, scope, entity and metric: the value, the baseline it is judged
-- against (int_anomalies__baselines), the robust score and whether every gate passed.
-- Incremental like the daily facts (macros/incremental_marts.sql): a run recomputes the
-- days of its window. A day's score reads only that day and the baseline days before it,
-- so a restated day changes scores on or after it, all inside the window. An incremental
-- run computes its baselines itself (argo.anomalies_baselines_sql, the SQL of the view
-- int_anomalies__baselines, which a full build reads) from the entity days its window
-- needs (argo.anomalies_baseline_days): the window's days, the same weekday from
-- anomalies__baseline_weeks weeks before it, and the public holidays from
-- anomalies__holiday_lookback_days before it, each read with date literals (each
-- campaign's span is still read from every day).
{{ config(**argo.incremental_mart_config(unique_key=['date_day', 'entity_key', 'metric'])) }}
{%- set since = argo.lookback_window_start_of_this() if is_incremental() else none %}
{%- set metrics = var('anomalies__metrics') %}
{%- set min_days = var('anomalies__min_baseline_days') %}
{%- set min_holidays = var('anomalies__min_holiday_baseline_days') %}
{#- The spread on each side of the median (anomalies__one_sided_scale), else the MAD. #}
{%- if var('anomalies__one_sided_scale') %}
    {%- set upper_spread = 'coalesce(baselines.upper_absolute_deviation, '
        ~ 'baselines.median_absolute_deviation)' %}
    {%- set lower_spread = 'coalesce(baselines.lower_absolute_deviation, '
        ~ 'baselines.median_absolute_deviation)' %}
{%- else %}
    {%- set upper_spread = 'baselines.median_absolute_deviation' %}
    {%- set lower_spread = 'baselines.median_absolute_deviation' %}
{%- endif %}
with

entity_days as (

    {%- if since is none %}
    select * from {{ ref('int_anomalies__entity_days') }}
    {%- else %}
    {{ argo.anomalies_entity_days_sql(argo.anomalies_baseline_days(since)) }}  -- noqa: LT02
    {%- endif %}

),

baselines as (

    {%- if since is none %}
    select * from {{ ref('int_anomalies__baselines') }}
    {%- else %}
    {{ argo.anomalies_baselines_sql(since, 'entity_days') }}  -- noqa: LT02
    {%- endif %}

),

-- The per-metric gates of the var anomalies__metrics, as rows.
thresholds as (

    {% for metric, settings in metrics.items() %}
        select
            '{{ metric }}' as metric,
            cast({{ settings['min_change_abs'] }} as {{ argo.type_double() }})
                as min_change_abs,
            cast({{ settings['min_baseline_volume'] }} as {{ argo.type_double() }})
                as min_baseline_volume,
            cast({{ settings.get('min_day_volume_ratio', 0) }} as {{ argo.type_double() }})
                as min_day_volume_ratio,
            {{ 'true' if 'up' in settings.get('directions', ['up', 'down']) else 'false' }}
                as alerts_up,
            {{ 'true' if 'down' in settings.get('directions', ['up', 'down']) else 'false' }}
                as alerts_down
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

sided as (

    select
        baselines.*,
        thresholds.min_change_abs,
        thresholds.min_baseline_volume,
        thresholds.min_day_volume_ratio,
        thresholds.alerts_up,
        thresholds.alerts_down,
        -- The score's unit on each side of the median: 1.4826 x that side's median
        -- distance (the standard deviation of normal data; the MAD when a side has no
        -- value), at least anomalies__scale_floor_fraction of the median.
        greatest(
            1.4826 * {{ upper_spread }},
            {{ var('anomalies__scale_floor_fraction') }} * abs(baselines.expected_value)
        ) as scale_upper,
        greatest(
            1.4826 * {{ lower_spread }},
            {{ var('anomalies__scale_floor_fraction') }} * abs(baselines.expected_value)
        ) as scale_lower,
        baselines.value - baselines.expected_value as change_abs,
        case
            when baselines.expected_value <> 0
                then
                    (baselines.value - baselines.expected_value)
                    / abs(baselines.expected_value)
        end as change_rel

    from baselines
    inner join thresholds
        on baselines.metric = thresholds.metric

),

-- A value above the median is measured in the upper side's unit, below in the lower's.
scaled as (

    select
        *,
        case when value < expected_value then scale_lower else scale_upper end as scale

    from sided

),

judged as (

    select
        scaled.*,
        case
            when scaled.value is null
                then 'no value on the day (its denominator is 0)'
            when scaled.is_holiday and scaled.baseline_days < {{ min_holidays }}
                then 'fewer than {{ min_holidays }} past holidays'
            when not scaled.is_holiday and scaled.baseline_days < {{ min_days }}
                then 'fewer than {{ min_days }} baseline days'
            when scaled.baseline_volume < scaled.min_baseline_volume
                then 'baseline volume below '
                    || {{ argo.anomalies_format_number('scaled.min_baseline_volume') }}
            when scaled.scale = 0
                then 'baseline without spread (median and MAD are 0)'
        end as not_scored_reason

    from scaled

),

gated as (

    select
        judged.*,
        case
            when judged.not_scored_reason is null
                then judged.change_abs / judged.scale
        end as score

    from judged

),

checked as (

    select
        gated.*,
        case
            when gated.score > 0 then 'up'
            when gated.score < 0 then 'down'
        end as direction,
        coalesce(abs(gated.score) >= {{ var('anomalies__min_score') }}, false)
            as passes_score,
        coalesce(abs(gated.change_rel) >= {{ var('anomalies__min_change_rel') }}, false)
            as passes_change_rel,
        coalesce(abs(gated.change_abs) >= gated.min_change_abs, false) as passes_change_abs,
        coalesce(gated.baseline_volume >= gated.min_baseline_volume, false)
            as passes_baseline_volume,
        -- A ratio on a day with a fraction of its usual volume is noise (a thin day).
        coalesce(
            gated.min_day_volume_ratio = 0
            or gated.volume >= gated.min_day_volume_ratio * gated.baseline_volume,
            false
        ) as passes_day_volume,
        coalesce(
            not {{ var('anomalies__require_outside_baseline_range') }}
            or gated.value > gated.baseline_max
            or gated.value < gated.baseline_min,
            false
        ) as passes_outside_range,
        coalesce(
            (gated.score > 0 and gated.alerts_up) or (gated.score < 0 and gated.alerts_down),
            false
        ) as passes_direction

    from gated

),

final as (

    select
        checked.date_day,
        checked.scope,
        checked.entity_key,
        entity_days.advertiser_id,
        entity_days.advertiser_name,
        entity_days.platform,
        entity_days.account_id,
        entity_days.campaign_id,
        entity_days.entity_name,
        checked.metric,
        checked.value,
        checked.volume,
        checked.expected_value,
        -- No metric goes below 0 but the install gap, which goes down to -1 (no install
        -- the tracker saw).
        case when checked.scale_lower > 0 then
                greatest(
                    checked.expected_value
                    - {{ var('anomalies__min_score') }} * checked.scale_lower,
                    case when checked.metric = 'install_gap' then -1 else 0 end
                )
        end as band_low,
        case when checked.scale_upper > 0 then
                checked.expected_value + {{ var('anomalies__min_score') }} * checked.scale_upper
        end as band_high,
        checked.median_absolute_deviation,
        checked.score,
        checked.change_abs,
        checked.change_rel,
        checked.baseline_days,
        checked.baseline_kind,
        checked.baseline_volume,
        checked.baseline_nonzero_days,
        checked.baseline_min,
        checked.baseline_max,
        checked.campaigns_in_spine,
        checked.is_holiday,
        checked.not_scored_reason,
        checked.passes_score,
        checked.passes_change_rel,
        checked.passes_change_abs,
        checked.passes_baseline_volume,
        checked.passes_day_volume,
        checked.passes_outside_range,
        checked.passes_direction,
        (
            checked.not_scored_reason is null
            and checked.passes_score
            and checked.passes_change_rel
            and checked.passes_change_abs
            and checked.passes_baseline_volume
            and checked.passes_day_volume
            and checked.passes_outside_range
            and checked.passes_direction
        ) as is_anomaly,
        checked.direction,
        checked.spend,
        checked.clicks,
        checked.conversions

    from checked
    inner join entity_days
        on
            checked.entity_key = entity_days.entity_key
            and checked.date_day = entity_days.date_day

)

select * from final
