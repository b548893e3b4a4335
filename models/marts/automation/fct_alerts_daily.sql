{#
    One alerts mart: every day's pacing problems, anomalies and suggestions in one shape,
    each with a severity, the money at risk in the reporting currency, the advertiser's AE
    and one sentence that says why. `alert_id` names the problem, not the day: the same
    budget off pace, the same detector on the same metric of the same entity, the same
    rule on the same entity keep their id from one day to the next, so fct_alert_events
    can tell a new problem from a standing one.
#}
with

pacing as (

    select * from {{ ref('fct_budget_pacing_daily') }}
    where pacing_status <> 'on_pace'

),

anomalies as (

    select * from {{ ref('fct_anomalies_daily') }}

),

suggestions as (

    select * from {{ ref('fct_suggestions_daily') }}

),

advertisers as (

    select * from {{ ref('dim_advertisers') }}

),

-- A budget off pace: exhausted is always high; otherwise by the share of the budget at
-- risk (var argo__alert_pacing_high_share, argo__alert_pacing_medium_share).
pacing_alerts as (

    select
        date_day,
        'pacing|' || budget_id as alert_id,
        'pacing' as alert_kind,
        'pacing_' || pacing_status as detector,
        cast(null as varchar) as metric,
        scope,
        cast(null as varchar) as entity_key,
        budget_id,
        case
            when pacing_status = 'exhausted' then 'high'
            when money_at_risk >= {{ var('argo__alert_pacing_high_share') }} * amount then 'high'
            when money_at_risk >= {{ var('argo__alert_pacing_medium_share') }} * amount
                then 'medium'
            else 'low'
        end as severity,
        cast(money_at_risk_in_reporting_currency as {{ argo.type_double() }})
            as money_at_risk_in_reporting_currency,
        advertiser_id,
        platform,
        account_id,
        campaign_id,
        entity_name,
        case pacing_status
            when 'exhausted' then 'budget exhausted'
            when 'over' then 'budget overspending'
            else 'budget underspending'
        end as headline_what,
        reason,
        'spend to date ' || {{ argo.number_text('spend_to_date') }}
        || ' of ' || {{ argo.number_text('amount') }} || ' ' || currency_code
        || '; expected ' || {{ argo.number_text('expected_spend_to_date') }}
        || '; projected ' || {{ argo.number_text('projected_spend') }}
        || ' by ' || cast(period_end as varchar)
        || '; days ahead ' || {{ argo.number_text('days_ahead', 1) }}
        || '; tolerance ' || {{ argo.number_text('100 * tolerance') }} || '%'
        || '; curve ' || curve_kind as evidence,
        period_end as valid_until

    from pacing

),

anomaly_alerts as (

    select
        date_day,
        anomaly_id as alert_id,
        'anomaly' as alert_kind,
        detector,
        metric,
        scope,
        entity_key,
        cast(null as varchar) as budget_id,
        severity,
        cast(money_at_risk_in_reporting_currency as {{ argo.type_double() }})
            as money_at_risk_in_reporting_currency,
        advertiser_id,
        platform,
        account_id,
        campaign_id,
        entity_name,
        case detector
            when 'score' then metric || ' ' || direction
            else replace(detector, '_', ' ')
        end as headline_what,
        reason,
        'value ' || coalesce({{ argo.number_text('value', 2) }}, 'none')
        || '; expected ' || coalesce({{ argo.number_text('expected_value', 2) }}, 'none')
        || ' (band ' || coalesce({{ argo.number_text('band_low', 2) }}, '?')
        || ' to ' || coalesce({{ argo.number_text('band_high', 2) }}, '?') || ')'
        || '; score ' || coalesce({{ argo.number_text('score', 1) }}, 'none')
        || '; change ' || coalesce({{ argo.number_text('100 * change_rel') }} || '%', 'none')
        || '; ' || coalesce(cast(baseline_days as varchar), '0') || ' baseline days' as evidence,
        cast(null as date) as valid_until

    from anomalies

),

suggestion_alerts as (

    select
        date_day,
        'suggestion|' || suggestion_id as alert_id,
        'suggestion' as alert_kind,
        rule_id as detector,
        cast(null as varchar) as metric,
        scope,
        entity_key,
        cast(null as varchar) as budget_id,
        severity,
        cast(money_at_stake_in_reporting_currency as {{ argo.type_double() }})
            as money_at_risk_in_reporting_currency,
        advertiser_id,
        platform,
        account_id,
        campaign_id,
        entity_name,
        action as headline_what,
        reason,
        evidence
        || '; now ' || coalesce(current_metrics, 'n/a')
        || '; projected ' || coalesce(projected_metrics, 'n/a') as evidence,
        cast(null as date) as valid_until

    from suggestions

),

unioned as (

    select * from pacing_alerts
    union all
    select * from anomaly_alerts
    union all
    select * from suggestion_alerts

),

final as (

    select
        unioned.date_day,
        unioned.alert_id,
        unioned.alert_kind,
        unioned.detector,
        unioned.metric,
        unioned.scope,
        unioned.entity_key,
        unioned.budget_id,
        unioned.severity,
        case unioned.severity when 'high' then 3 when 'medium' then 2 else 1 end
            as severity_rank,
        coalesce(unioned.money_at_risk_in_reporting_currency, 0)
            as money_at_risk_in_reporting_currency,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        unioned.advertiser_id,
        coalesce(advertisers.advertiser_name, unioned.advertiser_id) as advertiser_name,
        advertisers.ae_name,
        advertisers.ae_email,
        unioned.platform,
        unioned.account_id,
        unioned.campaign_id,
        coalesce(unioned.entity_name, unioned.advertiser_id) as entity_name,
        coalesce(advertisers.advertiser_name, unioned.advertiser_id)
        || coalesce(' · ' || unioned.platform, '')
        || case
            when unioned.scope in ('advertiser', 'platform') then ''
            else coalesce(' · ' || unioned.entity_name, '')
        end
        || ': ' || unioned.headline_what as headline,
        unioned.reason,
        unioned.evidence,
        unioned.valid_until

    from unioned
    left join advertisers
        on unioned.advertiser_id = advertisers.advertiser_id

)

select * from final
