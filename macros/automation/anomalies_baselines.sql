{#
    The SQL of int_anomalies__baselines (see its description there), for the days judged
    from `since` on (none: every day, from the view int_anomalies__metric_days).

    With `since` (fct_metric_scores_daily's incremental window), the metric days are
    computed here, from `entity_days` (a relation, a CTE's name, or none: computed for
    the days argo.anomalies_baseline_days gives): the judged days from `since` on, and
    the days their baselines can read, the same weekday from `since` less
    anomalies__baseline_weeks weeks and the public holidays from `since` less
    anomalies__holiday_lookback_days on. A judged day's baseline reads only days inside
    those, so its row is that of the full computation (tests/e2e/test_daily_builds.py
    compares fct_metric_scores_daily with a full refresh).
#}
{% macro anomalies_baselines_sql(since=none, entity_days=none) -%}
{%- if since is not none %}
    {%- set since = modules.datetime.date.fromisoformat((since | string)[:10]) %}
    {%- if entity_days is none %}
        {%- set entity_days = '(' ~ argo.anomalies_entity_days_sql(argo.anomalies_baseline_days(since))
            ~ ') as entity_days' %}
    {%- endif %}
{%- endif %}
with

metric_days as (

    {%- if since is none %}
    select * from {{ ref('int_anomalies__metric_days') }}
    {%- else %}
    {{ argo.anomalies_metric_days_sql(entity_days) }}  -- noqa: LT02
    {%- endif %}

),

same_weekday_pairs as (

    select
        judged.date_day,
        judged.entity_key,
        judged.metric,
        past.date_day as baseline_day,
        past.value as baseline_value,
        past.volume as baseline_volume

    from metric_days as judged
    inner join metric_days as past
        on
            judged.entity_key = past.entity_key
            and judged.metric = past.metric
            and judged.day_of_week = past.day_of_week
            and judged.campaigns_in_spine = past.campaigns_in_spine
            and judged.date_day > past.date_day
            and past.date_day >= {{ dbt.dateadd(
                'day', -7 * var('anomalies__baseline_weeks'), 'judged.date_day'
            ) }}
    where
        not judged.is_holiday
        and not past.is_holiday
        and past.value is not null
        {%- if since is not none %}
        and judged.date_day >= cast('{{ since }}' as date)
        {%- endif %}

),

holiday_candidates as (

    select
        judged.date_day,
        judged.entity_key,
        judged.metric,
        past.date_day as baseline_day,
        past.value as baseline_value,
        past.volume as baseline_volume,
        row_number() over (
            partition by judged.entity_key, judged.metric, judged.date_day
            order by past.date_day desc
        ) as recency_rank

    from metric_days as judged
    inner join metric_days as past
        on
            judged.entity_key = past.entity_key
            and judged.metric = past.metric
            and judged.campaigns_in_spine = past.campaigns_in_spine
            and judged.date_day > past.date_day
            and past.date_day >= {{ dbt.dateadd(
                'day', -1 * var('anomalies__holiday_lookback_days'), 'judged.date_day'
            ) }}
    where
        judged.is_holiday
        and past.is_holiday
        and past.value is not null
        {%- if since is not none %}
        and judged.date_day >= cast('{{ since }}' as date)
        {%- endif %}

),

pairs as (

    select * from same_weekday_pairs
    union all
    select
        date_day,
        entity_key,
        metric,
        baseline_day,
        baseline_value,
        baseline_volume
    from holiday_candidates
    where recency_rank <= {{ var('anomalies__holiday_baseline_max_days') }}

),

{{ adapter.dispatch('anomalies_baseline_stats_sql', 'argo')() }}

final as (

    select
        metric_days.date_day,
        metric_days.scope,
        metric_days.entity_key,
        metric_days.metric,
        metric_days.value,
        metric_days.volume,
        metric_days.is_holiday,
        metric_days.spend,
        metric_days.clicks,
        metric_days.conversions,
        stats.expected_value,
        stats.median_absolute_deviation,
        stats.upper_absolute_deviation,
        stats.lower_absolute_deviation,
        stats.baseline_volume,
        stats.baseline_min,
        stats.baseline_max,
        metric_days.campaigns_in_spine,
        case when metric_days.is_holiday then 'past_holidays' else 'same_weekday' end
            as baseline_kind,
        coalesce(stats.baseline_days, 0) as baseline_days,
        coalesce(stats.baseline_nonzero_days, 0) as baseline_nonzero_days

    from metric_days
    left join stats
        on
            metric_days.entity_key = stats.entity_key
            and metric_days.metric = stats.metric
            and metric_days.date_day = stats.date_day
    {%- if since is not none %}
    where metric_days.date_day >= cast('{{ since }}' as date)
    {%- endif %}

)

select * from final
{%- endmacro %}

{#
    The baseline of each judged day from its `pairs` (entity_key, metric, date_day,
    baseline_value, baseline_volume): one `stats` CTE with the exact median
    (expected_value), the MAD, the spread on each side, and the summaries. Medians are the
    middle one or two values, by rank: never a percentile function, so every engine gives
    the same figures.

    Athena: ranks by window functions over the pairs.
#}
{% macro athena__anomalies_baseline_stats_sql() -%}
ranked as (

    select
        *,
        row_number() over (
            partition by entity_key, metric, date_day order by baseline_value
        ) as value_rank,
        count(*) over (partition by entity_key, metric, date_day) as baseline_days

    from pairs

),

-- The middle value (odd count) or the two middle values (even count): 2 x rank is
-- between n and n + 2 exactly for those.
medians as (

    select
        entity_key,
        metric,
        date_day,
        max(baseline_days) as baseline_days,
        avg(baseline_value) as expected_value

    from ranked
    where 2 * value_rank between baseline_days and baseline_days + 2
    group by 1, 2, 3

),

deviations as (

    select
        ranked.entity_key,
        ranked.metric,
        ranked.date_day,
        ranked.baseline_days,
        abs(ranked.baseline_value - medians.expected_value) as deviation,
        row_number() over (
            partition by ranked.entity_key, ranked.metric, ranked.date_day
            order by abs(ranked.baseline_value - medians.expected_value)
        ) as deviation_rank

    from ranked
    inner join medians
        on
            ranked.entity_key = medians.entity_key
            and ranked.metric = medians.metric
            and ranked.date_day = medians.date_day

),

mads as (

    select
        entity_key,
        metric,
        date_day,
        avg(deviation) as median_absolute_deviation

    from deviations
    where 2 * deviation_rank between baseline_days and baseline_days + 2
    group by 1, 2, 3

),

-- The spread on each side of the median: the exact median distance of the values above
-- it (upper) and below it (lower), the median itself on both sides. A day judged above
-- the median is scaled by the upper spread, below by the lower: Google Ads' thin days
-- (a day at a tenth of the usual) widen the lower side only, and do not hide a spike.
side_deviations as (

    select
        ranked.entity_key,
        ranked.metric,
        ranked.date_day,
        'upper' as side,
        ranked.baseline_value - medians.expected_value as deviation

    from ranked
    inner join medians
        on
            ranked.entity_key = medians.entity_key
            and ranked.metric = medians.metric
            and ranked.date_day = medians.date_day
    where ranked.baseline_value >= medians.expected_value

    union all

    select
        ranked.entity_key,
        ranked.metric,
        ranked.date_day,
        'lower' as side,
        medians.expected_value - ranked.baseline_value as deviation

    from ranked
    inner join medians
        on
            ranked.entity_key = medians.entity_key
            and ranked.metric = medians.metric
            and ranked.date_day = medians.date_day
    where ranked.baseline_value <= medians.expected_value

),

side_ranked as (

    select
        *,
        row_number() over (
            partition by entity_key, metric, date_day, side order by deviation
        ) as deviation_rank,
        count(*) over (partition by entity_key, metric, date_day, side) as side_days

    from side_deviations

),

side_mads as (

    select
        entity_key,
        metric,
        date_day,
        avg(case when side = 'upper' then deviation end) as upper_absolute_deviation,
        avg(case when side = 'lower' then deviation end) as lower_absolute_deviation

    from side_ranked
    where 2 * deviation_rank between side_days and side_days + 2
    group by 1, 2, 3

),

summaries as (

    select
        entity_key,
        metric,
        date_day,
        {{ argo.anomalies_baseline_summaries() }}

    from pairs
    group by 1, 2, 3

),

stats as (

    select
        summaries.entity_key,
        summaries.metric,
        summaries.date_day,
        medians.expected_value,
        medians.baseline_days,
        mads.median_absolute_deviation,
        side_mads.upper_absolute_deviation,
        side_mads.lower_absolute_deviation,
        summaries.baseline_volume,
        summaries.baseline_nonzero_days,
        summaries.baseline_min,
        summaries.baseline_max

    from summaries
    left join medians
        on
            summaries.entity_key = medians.entity_key
            and summaries.metric = medians.metric
            and summaries.date_day = medians.date_day
    left join mads
        on
            summaries.entity_key = mads.entity_key
            and summaries.metric = mads.metric
            and summaries.date_day = mads.date_day
    left join side_mads
        on
            summaries.entity_key = side_mads.entity_key
            and summaries.metric = side_mads.metric
            and summaries.date_day = side_mads.date_day

),
{%- endmacro %}

{#
    DuckDB: each judged day's baseline values as one sorted list (at most
    anomalies__baseline_weeks or anomalies__holiday_baseline_max_days of them), and the
    middle ones picked by position: the same values the ranks give, from one grouping of
    the pairs. The window functions over every pair (about 8 per metric day, 160 M at SF10)
    held them all in memory three times over, which a full build at SF10 could not fit
    (DECISIONLOG 59).
#}
{% macro default__anomalies_baseline_stats_sql() -%}
grouped as (

    select
        entity_key,
        metric,
        date_day,
        list(baseline_value order by baseline_value) as baseline_values,
        count(*) as baseline_days,
        {{ argo.anomalies_baseline_summaries() }}

    from pairs
    group by 1, 2, 3

),

medians as (

    select
        *,
        {{ argo.sorted_list_median('baseline_values') }} as expected_value

    from grouped

),

-- Each value's distance from the median, sorted: all of them (for the MAD), and those at
-- or above it (upper) and at or below it (lower), the median itself on both sides.
deviations as (

    select
        *,
        list_sort(list_transform(baseline_values, lambda v: abs(v - expected_value)))
            as absolute_deviations,
        list_transform(
            list_filter(baseline_values, lambda v: v >= expected_value),
            lambda v: v - expected_value
        ) as upper_deviations,
        list_reverse(list_transform(
            list_filter(baseline_values, lambda v: v <= expected_value),
            lambda v: expected_value - v
        )) as lower_deviations

    from medians

),

stats as (

    select
        entity_key,
        metric,
        date_day,
        expected_value,
        baseline_days,
        {{ argo.sorted_list_median('absolute_deviations') }} as median_absolute_deviation,
        {{ argo.sorted_list_median('upper_deviations') }} as upper_absolute_deviation,
        {{ argo.sorted_list_median('lower_deviations') }} as lower_absolute_deviation,
        baseline_volume,
        baseline_nonzero_days,
        baseline_min,
        baseline_max

    from deviations

),
{%- endmacro %}

{#- The median of a sorted, non-empty list (DuckDB): the middle value, or the mean of the
    two middle ones. -#}
{% macro sorted_list_median(values) -%}
    ((({{ values }})[(len({{ values }}) + 1) // 2] + ({{ values }})[len({{ values }}) // 2 + 1]) / 2)
{%- endmacro %}

{#- What both engines sum up of a judged day's `pairs`: the mean volume, the days above zero,
    the range. -#}
{% macro anomalies_baseline_summaries() -%}
-- Decimal sum over count: the same to the last digit on every engine and run.
        cast(sum(baseline_volume) / count(*) as {{ argo.type_double() }}) as baseline_volume,
        sum(case when baseline_value > 0 then 1 else 0 end) as baseline_nonzero_days,
        min(baseline_value) as baseline_min,
        max(baseline_value) as baseline_max
{%- endmacro %}
