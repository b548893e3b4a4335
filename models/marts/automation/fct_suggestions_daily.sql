{#-
    Read-only optimisation suggestions: one row per day (the day the rule's windows end)
    and suggestion, for every day of the history. A rule of seeds/automation/ fires for an
    entity on a day when every one of its conditions holds on int_suggestions__facts and
    its minimum-volume guard passes; its impact is estimated by its impact_method (below;
    docs/automation.md, "Suggestions"). Nothing here changes anything on a platform.

    Incremental like the daily facts (macros/incremental_marts.sql): a run recomputes the
    days of its window. A day's suggestions read only that day's figures, each over at
    most the 28 days before it, so the window's entity days are computed here from the
    window's first day less 27 days on (argo.suggestion_entity_days_sql, the SQL of the
    view int_suggestions__entity_days, which a full build reads). Their facts are the SQL
    of the view int_suggestions__facts over them (argo.suggestion_facts_sql), so the entity
    days are computed once. On DuckDB, a full build of more report rows than
    var('suggestions__build_chunk_rows') first computes the entity days chunk by chunk of
    entities into a table of the build schema (argo.stage_suggestion_entity_days), so that
    memory follows a chunk, not the history. What an entity is over its whole life (first
    and last day, name) comes from int_suggestions__entity_months, kept month by month in
    this build schema, so the window's run reads the window's rows and that table, not
    every day of the reports. On DuckDB it is built after fct_metric_scores_daily, which
    it does not read (argo.runs_after): built side by side, the two spilled past the disk
    of a 10x world.
    Names, daily budgets (dim_campaigns' current setting) and advertisers are those of
    the run that wrote the day, as in the other incremental marts.
-#}
-- depends_on: {{ ref('int_suggestions__entity_months') }}
{{ argo.runs_after('fct_metric_scores_daily') }}
{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'suggestion_id'],
    pre_hook=['{{ argo.stage_suggestion_entity_days() }}'],
    post_hook=['{{ argo.drop_staged_suggestion_entity_days() }}'],
)) }}
{%- set since = argo.lookback_window_start_of_this() if is_incremental() else none %}
{%- set staging = argo.suggestion_entity_days_staging() %}
{%- set windows = [3, 7, 14, 28] -%}
{%- set split_windows = [14, 28] -%}
{%- set reporting = var('reporting_currency') | upper -%}
{%- set raise_share = var('suggestions__budget_raise_share') -%}
{%- set shift_share = var('suggestions__budget_shift_share') -%}
{#- Digits shown for each field in the evidence (4 when not listed). -#}
{%- set digits = {
    'spend': 0, 'conversions_value': 0, 'cpa': 0, 'cpc': 0, 'best_peer_spend': 0,
    'impressions': 0, 'clicks': 0, 'marginal_roas_rank': 0, 'conversions': 1,
    'ctr_slope': 6, 'roas': 2, 'marginal_roas': 2, 'best_peer_marginal_roas': 2,
    'marginal_roas_gap_to_best_peer': 2,
} -%}

with

rules as (

    select * from {{ ref('suggestion_rules') }}

),

conditions as (

    select * from {{ ref('suggestion_rule_conditions') }}

),

entity_days as (

    {%- if since is not none %}
    {{ argo.suggestion_entity_days_sql(since) }}
    {%- elif staging is not none %}
    select * from {{ staging.relation }}
    {%- else %}
    select * from {{ ref('int_suggestions__entity_days') }}
    {%- endif %}

),

-- The facts of the entity days above (the SQL of int_suggestions__facts), so that the
-- entity days, whose windows are most of the build's work, are computed once.
facts as (

    {{ argo.suggestion_facts_sql('entity_days') }}  -- noqa: LT02

),

advertisers as (

    select * from {{ ref('dim_advertisers') }}

),

-- What a rule tests: its conditions (check_no = condition_no) and its minimum-volume
-- guard (check_no 0: the field over its window must be at least the value).
checks as (

    select
        conditions.rule_id,
        conditions.condition_no as check_no,
        conditions.field,
        conditions.operator as comparison,
        cast(conditions.threshold as {{ argo.type_double() }}) as threshold,
        conditions.window_days
    from conditions

    union all

    select
        rule_id,
        0 as check_no,
        min_volume_field as field,
        '>=' as comparison,
        cast(min_volume_value as {{ argo.type_double() }}) as threshold,
        min_volume_window_days as window_days
    from rules

),

rule_checks as (

    select
        rules.rule_id,
        rules.scope,
        checks.check_no,
        checks.field,
        checks.comparison,
        checks.threshold,
        checks.window_days,
        count(*) over (partition by rules.rule_id) as check_count,
        -- The suggestion's window: the longest any of its checks looks at.
        max(checks.window_days) over (partition by rules.rule_id) as rule_window_days
    from rules
    inner join checks
        on rules.rule_id = checks.rule_id

),

evaluated as (

    select
        rule_checks.rule_id,
        rule_checks.check_no,
        rule_checks.check_count,
        rule_checks.rule_window_days,
        facts.entity_key,
        facts.date_day,
        facts.fact_value,
        case rule_checks.comparison
            when '>=' then facts.fact_value >= rule_checks.threshold
            when '>' then facts.fact_value > rule_checks.threshold
            when '<=' then facts.fact_value <= rule_checks.threshold
            when '<' then facts.fact_value < rule_checks.threshold
            when '=' then facts.fact_value = rule_checks.threshold
        end as is_met
    from rule_checks
    inner join facts
        on
            rule_checks.scope = facts.scope
            and rule_checks.field = facts.field
            and rule_checks.window_days = facts.window_days

),

-- Every check met (a check whose figure is missing has no row, so it is not met), with
-- each check's value: the evidence is written for these rows only, not for every row of
-- every entity day.
met as (

    select
        rule_id,
        entity_key,
        date_day,
        {%- for n in range(0, 7) %}
            max(case when check_no = {{ n }} then fact_value end) as value_{{ n }},
        {%- endfor %}
        max(rule_window_days) as entity_days_window
    from evaluated
    group by 1, 2, 3
    having sum(case when is_met then 1 else 0 end) = max(check_count)

),

met_checks as (

    select
        met.rule_id,
        met.entity_key,
        met.date_day,
        met.entity_days_window,
        rule_checks.check_no,
        rule_checks.field,
        rule_checks.comparison,
        rule_checks.threshold,
        rule_checks.window_days,
        case rule_checks.check_no
            {%- for n in range(0, 7) %}
                when {{ n }} then met.value_{{ n }}
            {%- endfor %}
        end as fact_value
    from met
    inner join rule_checks
        on met.rule_id = rule_checks.rule_id

),

-- Each check as text, with the value that met it: `spend over 14 days = 250000 >= 200000`.
checks_shown as (

    select
        rule_id,
        entity_key,
        date_day,
        entity_days_window,
        check_no,
        field
        || ' over ' || cast(window_days as {{ dbt.type_string() }}) || ' days = '
        || case field
            {%- for field, places in digits.items() %}
                when '{{ field }}' then {{ argo.suggestion_shown('fact_value', places) }}
            {%- endfor %}
            else {{ argo.suggestion_shown('fact_value', 4) }}
        end
        || ' ' || comparison || ' '
        || case field
            {%- for field, places in digits.items() %}
                when '{{ field }}' then {{ argo.suggestion_shown('threshold', places) }}
            {%- endfor %}
            else {{ argo.suggestion_shown('threshold', 4) }}
        end as check_text
    from met_checks

),

fired as (

    select
        rule_id,
        entity_key,
        date_day,
        entity_days_window,
        concat_ws(
            '; ',
            {%- for n in range(1, 7) %}
                max(case when check_no = {{ n }} then check_text end),
            {%- endfor %}
            'volume: ' || max(case when check_no = 0 then check_text end)
        ) as evidence
    from checks_shown
    group by 1, 2, 3, 4

),

measured as (

    select
        fired.date_day,
        fired.rule_id,
        fired.entity_key,
        fired.entity_days_window,
        fired.evidence,
        rules.rule_version,
        rules.scope,
        rules.action,
        rules.impact_method,
        entity_days.advertiser_id,
        entity_days.platform,
        entity_days.account_id,
        entity_days.campaign_id,
        entity_days.ad_group_id,
        entity_days.ad_id,
        entity_days.keyword_id,
        entity_days.entity_name,
        {{ argo.suggestion_over_window('spend', windows, as_double=true) }} as spend,
        {{ argo.suggestion_over_window('conversions', windows, as_double=true) }} as conversions,
        {{ argo.suggestion_over_window('clicks', windows, as_double=true) }} as clicks,
        {{ argo.suggestion_over_window('cpa', windows) }} as cpa,
        {{ argo.suggestion_over_window('roas', windows) }} as roas,
        entity_days.cpa_target,
        entity_days.roas_target,
        cast(entity_days.daily_budget_in_reporting_currency as {{ argo.type_double() }})
            as daily_budget,
        {{ argo.suggestion_over_window('marginal_roas', split_windows) }} as marginal_roas,
        {{ argo.suggestion_over_window('best_peer_platform', split_windows) }}
            as best_peer_platform,
        {{ argo.suggestion_over_window('best_peer_marginal_roas', split_windows) }}
            as best_peer_marginal_roas,
        {{ argo.suggestion_over_window('best_peer_spend', split_windows, as_double=true) }}
            as best_peer_spend,
        {{ argo.suggestion_over_window('ctr_early', split_windows) }} as ctr_early,
        {{ argo.suggestion_over_window('ctr_late', split_windows) }} as ctr_late,
        {{ argo.suggestion_over_window('impressions_late', split_windows, as_double=true) }}
            as impressions_late,
        -- The later half's CPC, or the window's when the later half had no click.
        coalesce(
            {{ argo.suggestion_over_window('cpc_late', split_windows) }},
            {{ argo.suggestion_over_window('cpc', windows) }}
        ) as cpc_late
    from fired
    inner join rules
        on fired.rule_id = rules.rule_id
    inner join entity_days
        on
            fired.entity_key = entity_days.entity_key
            and fired.date_day = entity_days.date_day
    -- A window that starts before the warehouse's first day is not judged: the days before
    -- it are unknown, not zero.
    where
        entity_days.history_first_day
        <= cast({{ dbt.dateadd('day', '1 - fired.entity_days_window', 'fired.date_day') }} as date)

),

-- Money at stake by impact_method, in the reporting currency, over the window:
-- spend_saved                    the spend of the window (pausing saves it);
-- cpa_to_target                  spend x (1 - target CPA / CPA): what the same
--                                conversions would have cost at target;
-- budget_headroom_at_roas        extra spend (the var's share of the daily budget, for
--                                7 days) x the window's ROAS: revenue the raise could add;
-- budget_shift_at_marginal_roas  moved spend (the var's share of this platform's spend)
--                                x (best peer's marginal ROAS - this one's): revenue gained;
-- lost_clicks_value              (earlier half's CTR - later half's CTR) x later half's
--                                impressions x later half's CPC: clicks lost, at their cost.
estimated as (

    select
        *,
        case impact_method
            when 'spend_saved' then spend
            when 'cpa_to_target'
                then case when cpa > cpa_target then spend * (1 - cpa_target / cpa) end
            when 'budget_headroom_at_roas'
                then {{ raise_share }} * daily_budget * 7 * roas
            when 'budget_shift_at_marginal_roas'
                then {{ shift_share }} * spend * (best_peer_marginal_roas - marginal_roas)
            when 'lost_clicks_value'
                then (ctr_early - ctr_late) * impressions_late * cpc_late
        end as money_at_stake,
        case impact_method
            when 'budget_headroom_at_roas' then {{ raise_share }} * daily_budget * 7
            when 'budget_shift_at_marginal_roas' then {{ shift_share }} * spend
            when 'lost_clicks_value' then (ctr_early - ctr_late) * impressions_late
        end as moved
    from measured

),

-- The figures as text, the same on DuckDB and Athena (argo.suggestion_shown).
shown as (

    select
        estimated.*,
        advertisers.advertiser_name,
        coalesce(advertisers.advertiser_name, estimated.advertiser_id) as advertiser_shown,
        cast(estimated.entity_days_window as {{ dbt.type_string() }}) as window_shown,
        {%- for column, places in [
            ('spend', 0), ('clicks', 0), ('conversions', 1), ('cpa', 0), ('cpa_target', 0),
            ('roas', 2), ('roas_target', 2), ('daily_budget', 0), ('marginal_roas', 2),
            ('best_peer_marginal_roas', 2), ('best_peer_spend', 0), ('ctr_early', 4),
            ('ctr_late', 4), ('impressions_late', 0), ('cpc_late', 0), ('money_at_stake', 0),
            ('moved', 0),
        ] %}
            coalesce({{ argo.suggestion_shown('estimated.' ~ column, places) }}, 'n/a')
                as {{ column }}_shown,
        {%- endfor %}
        coalesce(
            {{ argo.suggestion_shown('estimated.spend - estimated.money_at_stake', 0) }}, 'n/a'
        ) as spend_at_target_shown,
        coalesce(
            {{ argo.suggestion_shown('estimated.daily_budget * (1 + ' ~ raise_share ~ ')', 0) }},
            'n/a'
        ) as raised_budget_shown,
        coalesce(estimated.best_peer_platform, 'n/a') as best_peer_shown
    from estimated
    left join advertisers
        on estimated.advertiser_id = advertisers.advertiser_id

),

described as (

    select
        *,
        case impact_method
            when 'spend_saved'
                then 'spend ' || spend_shown || ', clicks ' || clicks_shown
                    || ', conversions ' || conversions_shown
            when 'cpa_to_target'
                then 'CPA ' || cpa_shown || ' (target ' || cpa_target_shown || '), spend '
                    || spend_shown || ', conversions ' || conversions_shown
            when 'budget_headroom_at_roas'
                then 'ROAS ' || roas_shown || ' (target ' || roas_target_shown
                    || '), daily budget ' || daily_budget_shown || ', spend ' || spend_shown
            when 'budget_shift_at_marginal_roas'
                then platform || ': spend ' || spend_shown || ', marginal ROAS '
                    || marginal_roas_shown || '; ' || best_peer_shown || ': spend '
                    || best_peer_spend_shown || ', marginal ROAS ' || best_peer_marginal_roas_shown
            when 'lost_clicks_value'
                then 'CTR ' || ctr_late_shown || ' (the half before: ' || ctr_early_shown
                    || '), impressions ' || impressions_late_shown || ', CPC ' || cpc_late_shown
        end as current_body,
        case impact_method
            when 'spend_saved'
                then 'spend 0, conversions 0'
            when 'cpa_to_target'
                then 'CPA ' || cpa_target_shown || ', spend ' || spend_at_target_shown
                    || ' for the same conversions'
            when 'budget_headroom_at_roas'
                then 'daily budget ' || raised_budget_shown || ', spend +' || moved_shown
                    || ' a week, revenue +' || money_at_stake_shown
            when 'budget_shift_at_marginal_roas'
                then 'move ' || moved_shown || ' of spend to ' || best_peer_shown
                    || ', revenue +' || money_at_stake_shown
            when 'lost_clicks_value'
                then 'CTR ' || ctr_early_shown || ', clicks +' || moved_shown
                    || ' worth ' || money_at_stake_shown
        end as projected_body,
        case impact_method
            when 'spend_saved'
                then scope || ' ''' || entity_name || ''' spent ' || spend_shown
                    || ' {{ reporting }} over ' || window_shown || ' days with '
                    || conversions_shown || ' conversions: ' || lower(action) || '.'
            when 'cpa_to_target'
                then scope || ' ''' || entity_name || ''' had a CPA of ' || cpa_shown
                    || ' {{ reporting }} against a target of ' || cpa_target_shown || ' over '
                    || window_shown || ' days: ' || lower(action) || ' (about '
                    || money_at_stake_shown || ' {{ reporting }} overspent).'
            when 'budget_headroom_at_roas'
                then scope || ' ''' || entity_name || ''' returned a ROAS of ' || roas_shown
                    || ' against a target of ' || roas_target_shown
                    || ' while spending its whole daily budget: ' || lower(action) || ' (about '
                    || money_at_stake_shown || ' {{ reporting }} more revenue a week).'
            when 'budget_shift_at_marginal_roas'
                then advertiser_shown || ' earns ' || marginal_roas_shown
                    || ' per extra unit spent on ' || platform || ' against '
                    || best_peer_marginal_roas_shown || ' on ' || best_peer_shown
                    || ': move about ' || moved_shown || ' {{ reporting }} of budget to '
                    || best_peer_shown || ' (about ' || money_at_stake_shown
                    || ' {{ reporting }} more revenue).'
            when 'lost_clicks_value'
                then scope || ' ''' || entity_name || '''s CTR fell from ' || ctr_early_shown
                    || ' to ' || ctr_late_shown || ' and kept falling: ' || lower(action)
                    || ' (about ' || moved_shown || ' clicks lost, worth ' || money_at_stake_shown
                    || ' {{ reporting }}).'
        end as reason
    from shown

),

final as (

    select
        date_day,
        rule_id || '|' || entity_key || '|' || window_shown || 'd' as suggestion_id,
        rule_id,
        rule_version,
        scope,
        entity_key,
        advertiser_id,
        advertiser_name,
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        keyword_id,
        entity_name,
        action,
        impact_method,
        entity_days_window as window_days,
        cast({{ dbt.dateadd('day', '1 - entity_days_window', 'date_day') }} as date)
            as window_start,
        date_day as window_end,
        evidence,
        '{{ reporting }}, ' || window_shown || ' days: ' || current_body as current_metrics,
        '{{ reporting }}, ' || window_shown || ' days: ' || projected_body as projected_metrics,
        cast(round(money_at_stake, 4) as {{ dbt.type_numeric() }})
            as money_at_stake_in_reporting_currency,
        '{{ reporting }}' as reporting_currency_code,
        case
            when money_at_stake >= {{ var('suggestions__severity_high_money') }} then 'high'
            when money_at_stake >= {{ var('suggestions__severity_medium_money') }} then 'medium'
            else 'low'
        end as severity,
        reason
    from described

)

select * from final
