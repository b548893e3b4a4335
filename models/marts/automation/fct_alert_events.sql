{#
    What the digest reports: for each alert and each day from the day it first appears, one
    event. An alert's episode is a run of consecutive days on which fct_alerts_daily has it:
    `new` on its first day, `worsened` on a day its severity rises above every earlier day
    of the episode, `ongoing` on the other days (a standing problem is not re-sent), and
    `cleared` on the first day without it, once the warehouse has data for that day. A
    pacing alert whose budget period ended is not `cleared` (the period is over, not the
    problem solved). Everything is derived from the marts' own history, so the events
    survive a full refresh of the marts; what an AE acknowledged or snoozed is kept by
    `argo alerts` outside the marts (docs/automation.md).
#}
with

alerts as (

    select * from {{ ref('fct_alerts_daily') }}

),

-- The newest day with data: an alert absent on a later day is not cleared yet.
as_of as (

    select max(date_day) as as_of_day from {{ ref('rpt_campaign_performance_daily') }}

),

-- Gaps and islands: consecutive days of an alert share day - (its n-th day).
counted as (

    select
        *,
        row_number() over (partition by alert_id order by date_day) as day_number

    from alerts

),

numbered as (

    select
        *,
        cast({{ dbt.dateadd('day', '-1 * day_number', 'date_day') }} as date) as episode_anchor

    from counted

),

episodes as (

    select
        *,
        min(date_day) over (partition by alert_id, episode_anchor) as first_seen,
        max(date_day) over (partition by alert_id, episode_anchor) as episode_last_day,
        -- Days are consecutive in an episode: its n-th day has been open n days (counted
        -- without dbt.datediff, whose Athena form the dialect check refuses).
        day_number - min(day_number) over (partition by alert_id, episode_anchor) + 1
            as days_open,
        max(severity_rank) over (
            partition by alert_id, episode_anchor
            order by date_day
            rows between unbounded preceding and 1 preceding
        ) as earlier_severity_rank

    from numbered

),

open_days as (

    select
        date_day,
        alert_id,
        case
            when date_day = first_seen then 'new'
            when severity_rank > earlier_severity_rank then 'worsened'
            else 'ongoing'
        end as event,  -- noqa: RF04
        first_seen,
        date_day as last_seen,
        days_open,
        alert_kind,
        detector,
        metric,
        scope,
        entity_key,
        budget_id,
        severity,
        severity_rank,
        money_at_risk_in_reporting_currency,
        reporting_currency_code,
        advertiser_id,
        advertiser_name,
        ae_name,
        ae_email,
        platform,
        account_id,
        campaign_id,
        entity_name,
        headline,
        reason,
        evidence

    from episodes

),

cleared as (

    select
        cast({{ dbt.dateadd('day', 1, 'episodes.date_day') }} as date) as date_day,
        episodes.alert_id,
        'cleared' as event,  -- noqa: RF04
        episodes.first_seen,
        episodes.date_day as last_seen,
        episodes.days_open,
        episodes.alert_kind,
        episodes.detector,
        episodes.metric,
        episodes.scope,
        episodes.entity_key,
        episodes.budget_id,
        episodes.severity,
        episodes.severity_rank,
        episodes.money_at_risk_in_reporting_currency,
        episodes.reporting_currency_code,
        episodes.advertiser_id,
        episodes.advertiser_name,
        episodes.ae_name,
        episodes.ae_email,
        episodes.platform,
        episodes.account_id,
        episodes.campaign_id,
        episodes.entity_name,
        episodes.headline,
        'No longer seen: ' || episodes.reason as reason,
        episodes.evidence

    from episodes
    cross join as_of
    where
        episodes.date_day = episodes.episode_last_day
        and episodes.date_day < as_of.as_of_day
        and (episodes.valid_until is null or episodes.date_day < episodes.valid_until)

),

final as (

    select * from open_days
    union all
    select * from cleared

)

select * from final
