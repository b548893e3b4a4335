{#
    The anomaly views' SQL as macros (DECISIONLOG, 54 did the same for the suggestions):
    each view is a call with every day (`days` none), and fct_metric_scores_daily runs the
    same SQL for the days its incremental window needs (argo.anomalies_baseline_days).
    A view's CTEs are materialized by DuckDB when read more than once, so a filter on the
    view's output never reaches the tables' scans: the days are filtered here, on the
    reads themselves.

    `days`: none (every day), or {'start': 'YYYY-MM-DD', 'also': ['YYYY-MM-DD', ...]}: the
    days from `start` on and the days listed. Everything here is computed per day, so the
    rows of a day kept are those of the full computation; what a campaign is over its
    whole life (its first and last day with rows, its first tracked day, the as-of day)
    is read from every day of rpt_campaign_performance_daily all the same.
#}

{#- The predicate keeping `column`'s days of `days` (`1 = 1` for every day). -#}
{% macro anomalies_days_predicate(column, days) -%}
    {%- if days is none -%}
        1 = 1
    {%- else -%}
        ({{ column }} >= cast('{{ days.start }}' as date)
        {%- if days.also %} or {{ column }} in (
            {%- for day in days.also %}cast('{{ day }}' as date){{ ', ' if not loop.last }}{% endfor -%}
        ){%- endif %})
    {%- endif -%}
{%- endmacro %}

{#
    The days whose metric days the baselines of the days from `since` on read (none when
    `since` is none: every day): the same weekday from `since` less
    anomalies__baseline_weeks weeks on, and the public holidays (dim_dates.is_holiday, the
    flag int_anomalies__campaign_days copies) from anomalies__holiday_lookback_days before
    `since`, listed as they are in dim_dates when the mart runs (its parent, built before
    it): a literal list whose filter reaches the scans, where a join with dim_dates would
    be applied only after every day had been read. Without dim_dates to read (sqlfluff's
    scratch warehouse), every day from the oldest holiday's bound.
#}
{% macro anomalies_baseline_days(since) -%}
    {%- if since is none or (since | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat((since | string)[:10]) -%}
    {%- set start = first - modules.datetime.timedelta(days=7 * var('anomalies__baseline_weeks')) -%}
    {%- set oldest = first - modules.datetime.timedelta(days=var('anomalies__holiday_lookback_days')) -%}
    {%- if oldest >= start -%}
        {{ return({'start': start | string, 'also': []}) }}
    {%- endif -%}
    {%- set dates = argo.window_input('dim_dates', first) -%}
    {%- if not execute or adapter.get_relation(dates.database, dates.schema, dates.identifier) is none -%}
        {#- No calendar to read (sqlfluff's scratch warehouse): every day from the oldest. -#}
        {{ return({'start': oldest | string, 'also': []}) }}
    {%- endif -%}
    {%- set holidays = [] -%}
    {%- set found = run_query(
        'select date_day from ' ~ dates
        ~ " where is_holiday and date_day >= cast('" ~ oldest ~ "' as date)"
        ~ " and date_day < cast('" ~ start ~ "' as date) order by date_day"
    ) -%}
    {%- for row in found.rows -%}
        {%- do holidays.append((row[0] | string)[:10]) -%}
    {%- endfor -%}
    {{ return({'start': start | string, 'also': holidays}) }}
{%- endmacro %}

{#
    The SQL of int_anomalies__campaign_days (see its description there), for the days of
    `days` (none: every day): the spine's days and the platform's installs are read for
    those days only.
#}
{% macro anomalies_campaign_days_sql(days=none) -%}
with

performance as (

    select * from {{ argo.window_input('rpt_campaign_performance_daily', days) }}

),

campaigns as (

    select * from {{ argo.window_input('dim_campaigns', days) }}

),

conversions as (

    select * from {{ argo.window_input('fct_ad_conversions_daily', days) }}
    {%- if days %}
    where {{ argo.anomalies_days_predicate('date_day', days) }}
    {%- endif %}

),

dates as (

    select * from {{ argo.window_input('dim_dates', days) }}
    {%- if days %}
    where {{ argo.anomalies_days_predicate('date_day', days) }}
    {%- endif %}

),

as_of as (

    select max(date_day) as as_of_day from performance

),

-- The installs the platform itself counts (the app_install conversions of the seed
-- ad_conversion_types), beside the tracker's.
platform_installs as (

    select
        date_day,
        platform,
        account_id,
        campaign_id,
        sum(conversions) as platform_installs

    from conversions
    where is_counted and conversion_name = 'app_install'
    group by 1, 2, 3, 4

),

campaign_spans as (

    select
        performance.platform,
        performance.account_id,
        performance.campaign_id,
        max(performance.advertiser_id) as advertiser_id,
        max(performance.advertiser_name) as advertiser_name,
        max(performance.campaign_name) as campaign_name,
        min(performance.date_day) as first_day,
        max(performance.date_day) as last_day_with_rows,
        min(case when performance.tracker_installs > 0 then performance.date_day end)
            as first_tracked_day

    from performance
    group by 1, 2, 3

),

-- Live: active now, with a daily or lifetime budget, not stopped before the as-of day.
campaign_states as (

    select
        campaign_spans.*,
        as_of.as_of_day,
        coalesce(campaigns.is_active, false) as is_active,
        coalesce(campaigns.daily_budget > 0 or campaigns.lifetime_budget > 0, false)
            as has_budget,
        (
            coalesce(campaigns.is_active, false)
            and (
                campaigns.stop_at is null
                or cast(campaigns.stop_at as date) >= as_of.as_of_day
            )
        ) as is_live

    from campaign_spans
    cross join as_of
    left join campaigns
        on
            campaign_spans.platform = campaigns.platform
            and campaign_spans.account_id = campaigns.account_id
            and campaign_spans.campaign_id = campaigns.campaign_id

),

spine as (

    select
        campaign_states.*,
        dates.date_day,
        dates.day_of_week,
        coalesce(dates.is_holiday, false) as is_holiday

    from campaign_states
    inner join dates
        on
            campaign_states.first_day <= dates.date_day
            and dates.date_day <= case
                when campaign_states.is_live then campaign_states.as_of_day
                else campaign_states.last_day_with_rows
            end

),

final as (

    select
        spine.date_day,
        spine.day_of_week,
        spine.is_holiday,
        spine.as_of_day,
        spine.advertiser_id,
        spine.advertiser_name,
        spine.platform,
        spine.account_id,
        spine.campaign_id,
        spine.campaign_name,
        spine.is_active,
        spine.has_budget,
        spine.is_live,
        performance.date_day is not null as has_rows,
        -- Money stays decimal (sums are exact, whatever order an engine adds them in).
        cast(coalesce(performance.spend_in_reporting_currency, 0) as {{ dbt.type_numeric() }})
            as spend,
        cast(coalesce(performance.impressions, 0) as {{ argo.type_double() }}) as impressions,
        cast(coalesce(performance.clicks, 0) as {{ argo.type_double() }}) as clicks,
        cast(coalesce(performance.conversions, 0) as {{ argo.type_double() }}) as conversions,
        cast(
            coalesce(performance.conversions_value_in_reporting_currency, 0)
            as {{ dbt.type_numeric() }}
        ) as conversions_value,
        -- Tracker figures only from the campaign's first day a tracker credited it an
        -- install: before it the campaign was not measured (no tracker, or none of its
        -- data loaded yet), which is no value rather than 0.
        case when spine.date_day >= spine.first_tracked_day then
                cast(coalesce(performance.tracker_installs, 0) as {{ argo.type_double() }})
        end as tracker_installs,
        case when spine.date_day >= spine.first_tracked_day then
                cast(
                    coalesce(platform_installs.platform_installs, 0) as {{ argo.type_double() }}
                )
        end as platform_installs

    from spine
    left join performance
        on
            spine.date_day = performance.date_day
            and spine.platform = performance.platform
            and spine.account_id = performance.account_id
            and spine.campaign_id = performance.campaign_id
    left join platform_installs
        on
            spine.date_day = platform_installs.date_day
            and spine.platform = platform_installs.platform
            and spine.account_id = platform_installs.account_id
            and spine.campaign_id = platform_installs.campaign_id

)

select * from final
{%- endmacro %}

{#
    The SQL of int_anomalies__entity_days (see its description there), for the days of
    `days` (none: every day, from the view int_anomalies__campaign_days; else its SQL, run
    for those days: every figure of a day is the sum of that day's campaign days).
#}
{% macro anomalies_entity_days_sql(days=none) -%}
{%- set scopes = [
    ('advertiser', 1, ['advertiser_id']),
    ('platform', 2, ['advertiser_id', 'platform']),
    ('account', 3, ['advertiser_id', 'platform', 'account_id']),
    ('campaign', 4, ['advertiser_id', 'platform', 'account_id', 'campaign_id']),
] %}
{%- set keys = ['advertiser_id', 'platform', 'account_id', 'campaign_id'] %}
with

campaign_days as (

    {%- if days is none %}
    select * from {{ ref('int_anomalies__campaign_days') }}
    {%- else %}
    {{ argo.anomalies_campaign_days_sql(days) }}  -- noqa: LT02
    {%- endif %}

),

accounts as (

    select * from {{ argo.window_input('dim_ad_accounts', days) }}

),

-- Days on which the warehouse has any performance row at all (data_missing only speaks
-- of an account's missing day when others arrived).
warehouse_days as (

    select
        date_day,
        count(distinct account_id) as accounts_with_rows

    from campaign_days
    where has_rows
    group by 1

),

{% for scope, level, scope_keys in scopes %}
    {{ scope }}_rollup as (

        select
            '{{ scope }}' as scope,
            {{ level }} as scope_level,
            date_day,
            {% for key in keys -%}
                {% if key in scope_keys -%}
                    {{ key }},
                {%- else -%}
                    cast(null as {{ dbt.type_string() }}) as {{ key }},
                {%- endif %}
            {% endfor -%}
            max(advertiser_name) as advertiser_name,
            max(campaign_name) as campaign_name,
            max(day_of_week) as day_of_week,
            max(as_of_day) as as_of_day,
            max(case when is_holiday then 1 else 0 end) = 1 as is_holiday,
            max(case when is_live then 1 else 0 end) = 1 as is_live,
            max(case when is_live and has_budget then 1 else 0 end) = 1 as is_live_with_budget,
            count(*) as campaigns_in_spine,
            sum(case when has_rows then 1 else 0 end) as campaigns_with_rows,
            sum(spend) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(conversions) as conversions,
            sum(conversions_value) as conversions_value,
            sum(tracker_installs) as tracker_installs,
            sum(platform_installs) as platform_installs

        from campaign_days
        group by
            {% for key in scope_keys %}{{ key }},
            {% endfor %}date_day

    ),

{% endfor %}
unioned as (

    {% for scope, level, scope_keys in scopes %}
        select * from {{ scope }}_rollup
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        unioned.date_day,
        unioned.scope,
        unioned.scope_level,
        unioned.advertiser_id,
        unioned.advertiser_name,
        unioned.platform,
        unioned.account_id,
        unioned.campaign_id,
        unioned.day_of_week,
        unioned.as_of_day,
        unioned.is_holiday,
        unioned.is_live,
        unioned.is_live_with_budget,
        unioned.campaigns_in_spine,
        unioned.campaigns_with_rows,
        unioned.spend,
        unioned.impressions,
        unioned.clicks,
        unioned.conversions,
        unioned.conversions_value,
        unioned.tracker_installs,
        unioned.platform_installs,
        unioned.scope
        || '|' || coalesce(unioned.advertiser_id, '')
        || '|' || coalesce(unioned.platform, '')
        || '|' || coalesce(unioned.account_id, '')
        || '|' || coalesce(unioned.campaign_id, '') as entity_key,
        case unioned.scope
            when 'advertiser' then unioned.advertiser_name
            when 'platform' then unioned.advertiser_name || ' · ' || unioned.platform
            when 'account' then coalesce(accounts.account_name, unioned.account_id)
            else coalesce(unioned.campaign_name, unioned.campaign_id)
        end as entity_name,
        coalesce(accounts.is_in_reporting_timezone, true) as is_in_reporting_timezone,
        coalesce(warehouse_days.accounts_with_rows, 0) as warehouse_accounts_with_rows

    from unioned
    left join accounts
        on
            unioned.platform = accounts.platform
            and unioned.account_id = accounts.account_id
    left join warehouse_days
        on unioned.date_day = warehouse_days.date_day

)

select * from final
{%- endmacro %}

{#
    The SQL of int_anomalies__metric_days (see its description there) over `entity_days`:
    a relation, or the name of a CTE with the columns of int_anomalies__entity_days
    (fct_metric_scores_daily's window, argo.anomalies_entity_days_sql).
#}
{% macro anomalies_metric_days_sql(entity_days) -%}
{%- set metrics = [
    ('spend', 'spend', 'spend'),
    ('impressions', 'impressions', 'impressions'),
    ('clicks', 'clicks', 'clicks'),
    ('cpc', argo.safe_divide('spend', 'clicks'), 'clicks'),
    ('ctr', argo.safe_divide('clicks', 'impressions'), 'impressions'),
    ('conversions', 'conversions', 'conversions'),
    ('cpa', argo.safe_divide('spend', 'conversions'), 'conversions'),
    ('roas', argo.safe_divide('conversions_value', 'spend'), 'spend'),
    ('tracker_installs', 'tracker_installs', 'tracker_installs'),
    ('install_gap', argo.safe_divide('tracker_installs', 'platform_installs') ~ ' - 1', 'platform_installs'),
] %}
with

entities_by_day as (

    select * from {{ entity_days }}

),

final as (

    {% for metric, value, volume in metrics %}
        select
            date_day,
            scope,
            entity_key,
            '{{ metric }}' as metric,
            cast({{ value }} as {{ argo.type_double() }}) as value,  -- noqa: RF04
            cast({{ volume }} as decimal(38, 6)) as volume,
            day_of_week,
            is_holiday,
            campaigns_in_spine,
            spend,
            clicks,
            conversions

        from entities_by_day
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
{%- endmacro %}
