{#
    The SQL of int_suggestions__entity_days (see its description there), for the days from
    `since` on (none: every day). Every figure is over a trailing window of at most 28
    days, so the rows of a day from `since` on read the days from `since` - 27 on; what an
    entity is over its whole life (its first and last day, its ids, its name, the
    warehouse's first day and the as-of day) is then combined from the per-month
    aggregates of int_suggestions__entity_months, kept in the build schema, instead of
    every day. The rows of a day are the same whether it is computed with every day or
    from `since` (tests/e2e/test_daily_builds.py compares fct_suggestions_daily, which
    computes only its window this way, with a full refresh).

    `chunk` (k, n), with every day only: the rows of the entities whose bucket
    (argo.suggestion_activity_where) is k of n. Every figure of a row is computed within
    its entity (its windows, its targets), except a platform's peers, which are the
    advertiser's other platforms: a platform's bucket is its advertiser's. So the n
    chunks' rows together are exactly the rows of every entity at once; only the
    warehouse's first day is read from every row. fct_suggestions_daily's full build on
    DuckDB computes its entity days chunk by chunk this way
    (argo.stage_suggestion_entity_days), so its memory follows a chunk, not the history.
#}
{% macro suggestion_entity_days_sql(since=none, chunk=none) -%}
{%- if chunk is not none and since is not none -%}
    {{ exceptions.raise_compiler_error(
        "argo.suggestion_entity_days_sql: a chunk is computed with every day (since none)"
    ) }}
{%- endif -%}
{#- What the inputs are read from (argo.window_input): the views' refs in the view; the
    nodes' relations in the mart, for its window or its chunks (which it does not ref). -#}
{%- set from_nodes = since if since is not none else chunk -%}
{%- set windows = [3, 7, 14, 28] -%}
{#- Windows whose later half is compared with their earlier half (CTR change, marginal ROAS). -#}
{%- set split_windows = [14, 28] -%}
{%- set sums = ['spend', 'impressions', 'clicks', 'conversions', 'conversions_value'] -%}
{%- set min_spend_change = var('suggestions__marginal_roas_min_spend_change') -%}
{#- The first day a window ending on `since` reaches back to. -#}
{%- set lower = none -%}
{%- if since is not none and (since | string | trim) != '' -%}
    {%- set lower = modules.datetime.date.fromisoformat((since | string)[:10])
        - modules.datetime.timedelta(days=(windows | max) - 1) -%}
{%- endif %}
with

keyword_performance as (

    select * from {{ argo.window_input('rpt_keyword_performance_daily', from_nodes) }}

),

campaign_performance as (

    select * from {{ argo.window_input('rpt_campaign_performance_daily', from_nodes) }}

),

ad_performance as (

    select * from {{ argo.window_input('fct_ad_performance_daily', from_nodes) }}

),

ads as (

    select * from {{ argo.window_input('dim_ads', from_nodes) }}

),

campaigns as (

    select * from {{ argo.window_input('dim_campaigns', from_nodes) }}

),

kpi_targets as (

    select * from {{ argo.window_input('dim_kpi_targets', from_nodes) }}

),

exchange_rates as (

    select * from {{ argo.window_input('int_exchange_rates_to_reporting', from_nodes) }}

),

-- Each day with its number in the calendar (day numbers count days without a date
-- difference, whose Athena form the dialect check refuses).
calendar as (

    select
        date_day,
        row_number() over (order by date_day) as day_index
    from {{ argo.window_input('int_calendar_days', from_nodes) }}

),

{%- if lower %}

-- What each entity is over each month of its life (int_suggestions__entity_months,
-- current with the marts this run built; its ad scope has no name).
entity_months as (

    select * from {{ argo.window_input('int_suggestions__entity_months', from_nodes) }}

),
{%- endif %}

-- The warehouse's as-of day comes from the data, never from the clock: the newest day of
-- the campaign report (whose every row is in some campaign's months).
as_of as (

    {%- if lower %}
    select max(date_day) as as_of_day
    from entity_months
    where scope = 'campaign'
    {%- else %}
    select max(date_day) as as_of_day
    from campaign_performance
    {%- endif %}

),

-- One row per entity and day it has rows, in the same shape for every scope; money in
-- the reporting currency so that windows and platforms add up. From the first day a
-- window of the days asked for reaches back to.
keyed as (

    {{ argo.suggestion_activity_sql(lower, chunk=chunk) }}

),

-- What an entity is over its whole life: its ids, its name, its first and last day. From
-- every row of history when every day is asked for; else combined from its months (min
-- and max of min and max are the same), an ad's name being dim_ads' current one, as the
-- rows of every day would give it.
entities as (

    {%- if lower %}
    select
        entity_months.entity_key,
        entity_months.scope,
        {{ argo.suggestion_entity_ids('entity_months') }},
        case
            when entity_months.scope = 'ad'
                then max(coalesce(ads.ad_name, entity_months.ad_id))
            else max(entity_months.entity_name)
        end as entity_name,
        min(entity_months.first_day) as first_day,
        max(entity_months.date_day) as last_day
    from entity_months
    left join ads
        on
            entity_months.scope = 'ad'
            and entity_months.platform = ads.platform
            and entity_months.account_id = ads.account_id
            and entity_months.ad_group_id = ads.ad_group_id
            and entity_months.ad_id = ads.ad_id
    group by entity_months.entity_key, entity_months.scope  -- noqa: AM06
    {%- else %}
    select
        entity_key,
        scope,
        {{ argo.suggestion_entity_ids() }},
        max(entity_name) as entity_name,
        min(date_day) as first_day,
        max(date_day) as last_day
    from keyed
    group by entity_key, scope  -- noqa: AM06
    {%- endif %}

),

-- The warehouse's first day: a window reaching before it is not judged. A chunk's
-- entities are some of them: it is then the first day of every report row (the first
-- day of every entity's).
history as (

    {%- if chunk is not none %}
    {#- The tables, not the CTEs: a CTE read twice is written out whole by DuckDB. #}
    select min(date_day) as history_first_day
    from (
        {%- for name in [
            'rpt_keyword_performance_daily',
            'rpt_campaign_performance_daily',
            'fct_ad_performance_daily',
        ] %}
        select min(date_day) as date_day from {{ argo.window_input(name, from_nodes) }}
        {{- '\n        union all' if not loop.last }}
        {%- endfor %}
    ) as first_days
    {%- else %}
    select min(first_day) as history_first_day
    from entities
    {%- endif %}

),

-- Every day of each entity's life (to the as-of day, at most 27 days after its last row),
-- from `lower` on when only some days are asked for; day_number counts the days of its
-- life (1 on its first day in the calendar).
entity_days as (

    select
        entities.*,
        calendar.date_day,
        history.history_first_day,
        calendar.day_index - first_days.day_index + 1 as day_number
    from entities
    cross join as_of
    cross join history
    inner join calendar
        on
            entities.first_day <= calendar.date_day
            and calendar.date_day <= least(
                as_of.as_of_day,
                cast({{ dbt.dateadd('day', 27, 'entities.last_day') }} as date)
            )
            {%- if lower %}
            and calendar.date_day >= cast('{{ lower }}' as date)
            {%- endif %}
    inner join calendar as first_days
        on first_days.date_day = greatest(
            entities.first_day, cast('{{ var("argo__calendar_start") }}' as date)
        )

),

-- A campaign's daily budget (dim_campaigns: its current setting, in the campaign's
-- currency) converted at the day's rate, so it compares with spend in the reporting
-- currency whatever the account bills in.
filled as (

    select
        entity_days.entity_key,
        entity_days.scope,
        entity_days.advertiser_id,
        entity_days.platform,
        entity_days.account_id,
        entity_days.campaign_id,
        entity_days.ad_group_id,
        entity_days.ad_id,
        entity_days.keyword_id,
        entity_days.entity_name,
        entity_days.date_day,
        entity_days.history_first_day,
        coalesce(keyed.spend, 0) as spend,
        coalesce(keyed.impressions, 0) as impressions,
        coalesce(keyed.clicks, 0) as clicks,
        coalesce(keyed.conversions, 0) as conversions,
        coalesce(keyed.conversions_value, 0) as conversions_value,
        {{ argo.safe_divide('keyed.clicks', 'keyed.impressions') }} as daily_ctr,
        case
            when campaigns.daily_budget > 0
                then {{ argo.in_reporting_currency(
                    'campaigns.daily_budget', 'budget_rates.exchange_rate'
                ) }}
        end as daily_budget_in_reporting_currency,
        entity_days.day_number
    from entity_days
    left join keyed
        on
            entity_days.entity_key = keyed.entity_key
            and entity_days.date_day = keyed.date_day
    left join campaigns
        on
            entity_days.scope = 'campaign'
            and entity_days.platform = campaigns.platform
            and entity_days.account_id = campaigns.account_id
            and entity_days.campaign_id = campaigns.campaign_id
    left join exchange_rates as budget_rates
        on
            campaigns.currency_code = budget_rates.currency_code
            and entity_days.date_day = budget_rates.date_day

),

-- Trailing windows ending on date_day (the frames count rows; `filled` has one per day).
windowed as (

    select
        *,
        {%- for w in windows %}
            {%- for s in sums %}
                sum({{ s }}) over (
                    partition by entity_key order by date_day
                    rows between {{ w - 1 }} preceding and current row
                ) as {{ s }}_{{ w }}d,
            {%- endfor %}
            min({{ argo.safe_divide('spend', 'daily_budget_in_reporting_currency') }}) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as budget_utilisation_min_{{ w }}d,
        {%- endfor %}
        {%- for w in split_windows %}
            {%- set h = w // 2 %}
            {%- for s in ['spend', 'impressions', 'clicks', 'conversions_value'] %}
                sum({{ s }}) over (
                    partition by entity_key order by date_day
                    rows between {{ h - 1 }} preceding and current row
                ) as {{ s }}_late_{{ w }}d,
                sum({{ s }}) over (
                    partition by entity_key order by date_day
                    rows between {{ w - 1 }} preceding and {{ h }} preceding
                ) as {{ s }}_early_{{ w }}d,
            {%- endfor %}
            -- Least squares over the days with impressions: x = day_number, y = daily CTR.
            count(daily_ctr) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as ctr_days_{{ w }}d,
            sum(case when daily_ctr is not null then day_number end) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as ctr_sx_{{ w }}d,
            sum(daily_ctr) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as ctr_sy_{{ w }}d,
            sum(case when daily_ctr is not null then day_number * day_number end) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as ctr_sxx_{{ w }}d,
            sum(daily_ctr * day_number) over (
                partition by entity_key order by date_day
                rows between {{ w - 1 }} preceding and current row
            ) as ctr_sxy_{{ w }}d,
        {%- endfor %}
        count(*) over (
            partition by entity_key order by date_day
            rows between {{ windows | max - 1 }} preceding and current row
        ) as days_known
    from filled

),

ratios as (

    select
        *,
        {%- for w in windows %}
            {{ argo.safe_divide('clicks_' ~ w ~ 'd', 'impressions_' ~ w ~ 'd') }} as ctr_{{ w }}d,
            {{ argo.safe_divide('spend_' ~ w ~ 'd', 'clicks_' ~ w ~ 'd') }} as cpc_{{ w }}d,
            {{ argo.safe_divide('spend_' ~ w ~ 'd', 'conversions_' ~ w ~ 'd') }} as cpa_{{ w }}d,
            {{ argo.safe_divide('conversions_value_' ~ w ~ 'd', 'spend_' ~ w ~ 'd') }}
                as roas_{{ w }}d,
        {%- endfor %}
        {%- for w in split_windows %}
            {{ argo.safe_divide('clicks_early_' ~ w ~ 'd', 'impressions_early_' ~ w ~ 'd') }}
                as ctr_early_{{ w }}d,
            {{ argo.safe_divide('clicks_late_' ~ w ~ 'd', 'impressions_late_' ~ w ~ 'd') }}
                as ctr_late_{{ w }}d,
            {{ argo.safe_divide('spend_late_' ~ w ~ 'd', 'clicks_late_' ~ w ~ 'd') }}
                as cpc_late_{{ w }}d,
            -- Change in CTR per day (a fraction of impressions), null below three days.
            case
                {%- set n = 'ctr_days_' ~ w ~ 'd' %}
                {%- set sx, sy = 'ctr_sx_' ~ w ~ 'd', 'ctr_sy_' ~ w ~ 'd' %}
                {%- set sxx, sxy = 'ctr_sxx_' ~ w ~ 'd', 'ctr_sxy_' ~ w ~ 'd' %}
                when {{ n }} >= 3
                    then {{ argo.safe_divide(
                    n ~ ' * ' ~ sxy ~ ' - ' ~ sx ~ ' * ' ~ sy,
                    n ~ ' * ' ~ sxx ~ ' - ' ~ sx ~ ' * ' ~ sx
                ) }}
            end as ctr_slope_{{ w }}d,
            -- Marginal ROAS: extra revenue per extra unit of spend between the window's two
            -- halves; when spend moved by less than the var's share of the earlier half, the
            -- difference is noise and the window's average ROAS stands in for it.
            case
                when spend_{{ w }}d > 0
                    and abs(spend_late_{{ w }}d - spend_early_{{ w }}d)
                    >= {{ min_spend_change }} * spend_early_{{ w }}d
                    and spend_late_{{ w }}d <> spend_early_{{ w }}d
                    then {{ argo.safe_divide(
                    'conversions_value_late_' ~ w ~ 'd - conversions_value_early_' ~ w ~ 'd',
                    'spend_late_' ~ w ~ 'd - spend_early_' ~ w ~ 'd'
                ) }}
                else {{ argo.safe_divide('conversions_value_' ~ w ~ 'd', 'spend_' ~ w ~ 'd') }}
            end as marginal_roas_{{ w }}d,
        {%- endfor %}
        days_known as days_known_{{ windows | max }}d
    from windowed
    {%- if since %}
    where date_day >= cast('{{ since }}' as date)
    {%- endif %}

),

-- The CPA and ROAS targets in force on the window's last day, the most specific first
-- (the campaign's own, then its platform's, then the advertiser's).
targets_on_day as (

    select
        ratios.entity_key,
        ratios.date_day,
        kpi_targets.kpi,
        case
            when kpi_targets.kpi = 'cpa'
                then cast(
                        kpi_targets.target_value_in_reporting_currency as {{ argo.type_double() }}
                    )
            else cast(kpi_targets.target_value as {{ argo.type_double() }})
        end as target_value,
        row_number() over (
            partition by ratios.entity_key, ratios.date_day, kpi_targets.kpi
            order by
                case when kpi_targets.campaign_id is not null then 0 else 1 end,
                case when kpi_targets.platform is not null then 0 else 1 end,
                kpi_targets.valid_from desc
        ) as specificity_rank
    from ratios
    inner join kpi_targets
        on
            ratios.advertiser_id = kpi_targets.advertiser_id
            and (kpi_targets.platform is null or ratios.platform = kpi_targets.platform)
            and (
                kpi_targets.campaign_id is null
                or ratios.campaign_id = kpi_targets.campaign_id
            )
            and ratios.date_day >= kpi_targets.valid_from
            and (kpi_targets.valid_to is null or ratios.date_day <= kpi_targets.valid_to)
    where ratios.scope = 'campaign' and kpi_targets.kpi in ('cpa', 'roas')

),

targeted as (

    select
        ratios.*,
        cpa_targets.target_value as cpa_target,
        roas_targets.target_value as roas_target,
    {%- for w in windows %}
        {{ argo.safe_divide('ratios.cpa_' ~ w ~ 'd', 'cpa_targets.target_value') }} - 1
            as cpa_over_target_{{ w }}d,
        {{ argo.safe_divide('ratios.roas_' ~ w ~ 'd', 'roas_targets.target_value') }} - 1
            as roas_over_target_{{ w }}d{{ ',' if not loop.last }}  -- noqa: LT02

    {%- endfor %}
    from ratios
    left join targets_on_day as cpa_targets
        on
            ratios.entity_key = cpa_targets.entity_key
            and ratios.date_day = cpa_targets.date_day
            and cpa_targets.kpi = 'cpa'
            and cpa_targets.specificity_rank = 1
    left join targets_on_day as roas_targets
        on
            ratios.entity_key = roas_targets.entity_key
            and ratios.date_day = roas_targets.date_day
            and roas_targets.kpi = 'roas'
            and roas_targets.specificity_rank = 1

),

-- An advertiser's platforms side by side: each platform against the best of the others
-- (by marginal ROAS, among those that spent in the window), and its rank from the bottom.
peers_ranked as (

    select
        entity_key,
        advertiser_id,
        platform,
        date_day,
    {%- for w in split_windows %}
        spend_{{ w }}d,
        case when spend_{{ w }}d > 0 then marginal_roas_{{ w }}d end
            as peer_marginal_roas_{{ w }}d{{ ',' if not loop.last }}  -- noqa: LT02

    {%- endfor %}
    from targeted
    where scope = 'platform'

),

peers_ordered as (

    select
        *,
    {%- for w in split_windows %}
        row_number() over (
            partition by advertiser_id, date_day
            order by
                case when peer_marginal_roas_{{ w }}d is null then 1 else 0 end,
                peer_marginal_roas_{{ w }}d desc,
                platform asc
            ) as best_rank_{{ w }}d,
        case
            when peer_marginal_roas_{{ w }}d is not null
                then row_number() over (
                        partition by
                            advertiser_id,
                            date_day,
                            case when peer_marginal_roas_{{ w }}d is null then 1 else 0 end
                        order by peer_marginal_roas_{{ w }}d asc, platform asc
                        )
        end as marginal_roas_rank_{{ w }}d{{ ',' if not loop.last }}  -- noqa: LT02

    {%- endfor %}
    from peers_ranked

),

peers as (

    select
        {%- for w in split_windows %}
            {%- for n in [1, 2] %}
                max(case when best_rank_{{ w }}d = {{ n }} then peer_marginal_roas_{{ w }}d end)
                    over (
                        partition by advertiser_id, date_day
                    ) as top{{ n }}_marginal_roas_{{ w }}d,
                max(case when best_rank_{{ w }}d = {{ n }} then spend_{{ w }}d end) over (
                    partition by advertiser_id, date_day
                ) as top{{ n }}_spend_{{ w }}d,
                max(case when best_rank_{{ w }}d = {{ n }} then platform end) over (
                    partition by advertiser_id, date_day
                ) as top{{ n }}_platform_{{ w }}d,
            {%- endfor %}
        {%- endfor %}
        entity_key,
        date_day,
    {%- for w in split_windows %}
        best_rank_{{ w }}d,
        marginal_roas_rank_{{ w }}d,
        peer_marginal_roas_{{ w }}d{{ ',' if not loop.last }}  -- noqa: LT02

    {%- endfor %}
    from peers_ordered

),

final as (

    select
        targeted.entity_key,
        targeted.scope,
        targeted.advertiser_id,
        targeted.platform,
        targeted.account_id,
        targeted.campaign_id,
        targeted.ad_group_id,
        targeted.ad_id,
        targeted.keyword_id,
        targeted.entity_name,
        targeted.date_day,
        targeted.history_first_day,
        targeted.days_known_{{ windows | max }}d,
        targeted.daily_budget_in_reporting_currency,
        targeted.cpa_target,
        targeted.roas_target,
        {%- for w in windows %}
            {%- for s in sums %}
                targeted.{{ s }}_{{ w }}d,
            {%- endfor %}
            targeted.ctr_{{ w }}d,
            targeted.cpc_{{ w }}d,
            targeted.cpa_{{ w }}d,
            targeted.roas_{{ w }}d,
            targeted.cpa_over_target_{{ w }}d,
            targeted.roas_over_target_{{ w }}d,
            targeted.budget_utilisation_min_{{ w }}d,
        {%- endfor %}
    {%- for w in split_windows %}
        targeted.spend_early_{{ w }}d,
        targeted.spend_late_{{ w }}d,
        targeted.impressions_late_{{ w }}d,
        targeted.conversions_value_early_{{ w }}d,
        targeted.conversions_value_late_{{ w }}d,
        targeted.ctr_early_{{ w }}d,
        targeted.ctr_late_{{ w }}d,
        targeted.cpc_late_{{ w }}d,
        targeted.ctr_late_{{ w }}d / nullif(targeted.ctr_early_{{ w }}d, 0) - 1
            as ctr_change_{{ w }}d,
        targeted.ctr_slope_{{ w }}d,
        case when targeted.scope = 'platform' then targeted.marginal_roas_{{ w }}d end
            as marginal_roas_{{ w }}d,
        peers.marginal_roas_rank_{{ w }}d,
        case
            when peers.best_rank_{{ w }}d = 1 then peers.top2_platform_{{ w }}d
            else peers.top1_platform_{{ w }}d
        end as best_peer_platform_{{ w }}d,
        case
            when peers.best_rank_{{ w }}d = 1 then peers.top2_marginal_roas_{{ w }}d
            else peers.top1_marginal_roas_{{ w }}d
        end as best_peer_marginal_roas_{{ w }}d,
        case
            when peers.best_rank_{{ w }}d = 1 then peers.top2_spend_{{ w }}d
            else peers.top1_spend_{{ w }}d
        end as best_peer_spend_{{ w }}d,
        case
            when peers.best_rank_{{ w }}d = 1
                then peers.top2_marginal_roas_{{ w }}d - peers.peer_marginal_roas_{{ w }}d
            else peers.top1_marginal_roas_{{ w }}d - peers.peer_marginal_roas_{{ w }}d
        end as marginal_roas_gap_to_best_peer_{{ w }}d{{ ',' if not loop.last }}  -- noqa: LT02

    {%- endfor %}
    from targeted
    left join peers
        on
            targeted.entity_key = peers.entity_key
            and targeted.date_day = peers.date_day

)

select * from final
{%- endmacro %}

{#
    The rows int_suggestions__entity_days is computed from: one per entity (with its
    entity_key) and day it has rows, money in the reporting currency; from the day `lower`
    on (none: every day). Inlined in argo.suggestion_entity_days_sql, whose CTEs
    keyword_performance, campaign_performance, ad_performance and ads it reads, and in
    int_suggestions__entity_months with `ad_names` false: an ad's name is then null and
    `ads` is not read (the name is dim_ads' current one, which a table kept from run to
    run would not follow).
#}
{% macro suggestion_activity_sql(lower=none, ad_names=true, chunk=none) -%}
    select
        *,
        scope
        || '|' || coalesce(advertiser_id, '')
        || '|' || coalesce(platform, '')
        || '|' || coalesce(account_id, '')
        || '|' || coalesce(campaign_id, '')
        || '|' || coalesce(ad_group_id, '')
        || '|' || coalesce(ad_id, '')
        || '|' || coalesce(keyword_id, '') as entity_key
    from (
        select
            'keyword' as scope,
            advertiser_id,
            platform,
            account_id,
            campaign_id,
            ad_group_id,
            cast(null as {{ dbt.type_string() }}) as ad_id,
            keyword_id,
            coalesce(max(keyword_text), keyword_id) as entity_name,
            date_day,
            sum(spend_in_reporting_currency) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(conversions) as conversions,
            sum(conversions_value_in_reporting_currency) as conversions_value
        from keyword_performance
        {{- argo.suggestion_activity_where(lower, chunk, [
            'advertiser_id', 'platform', 'account_id', 'campaign_id', 'ad_group_id', 'keyword_id'
        ]) }}
        group by  -- noqa: AM06
            advertiser_id, platform, account_id, campaign_id, ad_group_id, keyword_id, date_day

        union all

        select
            'campaign' as scope,
            advertiser_id,
            platform,
            account_id,
            campaign_id,
            cast(null as {{ dbt.type_string() }}) as ad_group_id,
            cast(null as {{ dbt.type_string() }}) as ad_id,
            cast(null as {{ dbt.type_string() }}) as keyword_id,
            coalesce(max(campaign_name), campaign_id) as entity_name,
            date_day,
            sum(spend_in_reporting_currency) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(conversions) as conversions,
            sum(conversions_value_in_reporting_currency) as conversions_value
        from campaign_performance
        {{- argo.suggestion_activity_where(
            lower, chunk, ['advertiser_id', 'platform', 'account_id', 'campaign_id']
        ) }}
        group by advertiser_id, platform, account_id, campaign_id, date_day  -- noqa: AM06

        union all

        select
            'platform' as scope,
            advertiser_id,
            platform,
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as campaign_id,
            cast(null as {{ dbt.type_string() }}) as ad_group_id,
            cast(null as {{ dbt.type_string() }}) as ad_id,
            cast(null as {{ dbt.type_string() }}) as keyword_id,
            coalesce(max(advertiser_name), advertiser_id) || ' on ' || platform as entity_name,
            date_day,
            sum(spend_in_reporting_currency) as spend,
            sum(impressions) as impressions,
            sum(clicks) as clicks,
            sum(conversions) as conversions,
            sum(conversions_value_in_reporting_currency) as conversions_value
        from campaign_performance
        {{- argo.suggestion_activity_where(
            lower, chunk, ['advertiser_id'], ['advertiser_id is not null']
        ) }}
        group by advertiser_id, platform, date_day  -- noqa: AM06

        union all

        select
            'ad' as scope,
            ad_performance.advertiser_id,
            ad_performance.platform,
            ad_performance.account_id,
            ad_performance.campaign_id,
            ad_performance.ad_group_id,
            ad_performance.ad_id,
            cast(null as {{ dbt.type_string() }}) as keyword_id,
            {%- if ad_names %}
            max(coalesce(ads.ad_name, ad_performance.ad_id)) as entity_name,
            {%- else %}
            cast(null as {{ dbt.type_string() }}) as entity_name,
            {%- endif %}
            ad_performance.date_day,
            sum(ad_performance.spend_in_reporting_currency) as spend,
            sum(ad_performance.impressions) as impressions,
            sum(ad_performance.clicks) as clicks,
            sum(ad_performance.conversions) as conversions,
            sum(ad_performance.conversions_value_in_reporting_currency) as conversions_value
        from ad_performance
        {%- if ad_names %}
        left join ads
            on
                ad_performance.platform = ads.platform
                and ad_performance.account_id = ads.account_id
                and ad_performance.ad_group_id = ads.ad_group_id
                and ad_performance.ad_id = ads.ad_id
        {%- endif %}
        {{- argo.suggestion_activity_where(lower, chunk, [
            'ad_performance.advertiser_id', 'ad_performance.platform',
            'ad_performance.account_id', 'ad_performance.campaign_id',
            'ad_performance.ad_group_id', 'ad_performance.ad_id',
        ], day='ad_performance.date_day') }}
        group by  -- noqa: AM06
            ad_performance.advertiser_id,
            ad_performance.platform,
            ad_performance.account_id,
            ad_performance.campaign_id,
            ad_performance.ad_group_id,
            ad_performance.ad_id,
            ad_performance.date_day
    ) as activity
{%- endmacro %}

{#
    The where clause of a branch of argo.suggestion_activity_sql: its `conditions`, its
    days from `lower` on (`day`: the day column), and, for chunk k of n (`chunk`: (k, n)),
    its rows whose `ids` (the entity's ids in that scope) hash to k modulo n: every row of
    an entity is in one chunk, and the platforms of an advertiser (ids: the advertiser) are
    in one chunk, since each is compared with the others. On the rows, before they are
    aggregated, so that a chunk aggregates its own rows only. Chunks: DuckDB only (how its
    full build of fct_suggestions_daily bounds memory).
#}
{% macro suggestion_activity_where(lower, chunk, ids, conditions=[], day='date_day') -%}
    {%- set clauses = conditions + (
        ["" ~ day ~ " >= cast('" ~ lower ~ "' as date)"] if lower else []
    ) -%}
    {%- if chunk is not none -%}
        {%- if target.type != 'duckdb' -%}
            {{ exceptions.raise_compiler_error(
                "argo.suggestion_activity_where: chunks are built on DuckDB only"
            ) }}
        {%- endif -%}
        {%- do clauses.append(
            'hash(' ~ (ids | join(', ')) ~ ') % ' ~ chunk[1] ~ ' = ' ~ chunk[0]
        ) -%}
    {%- endif -%}
    {%- if clauses %}
        where {{ clauses | join(' and ') }}
    {%- endif %}
{%- endmacro %}

{#
    Where fct_suggestions_daily's full build on DuckDB stages its entity days, computed
    chunk by chunk (argo.stage_suggestion_entity_days), with how many chunks: a dict
    {relation, chunks}; none when the build reads the view int_suggestions__entity_days
    in one go: on Athena (whose engine is distributed), on an incremental run (its window
    is small), in anything but a build (compile, docs, show, unit tests, `--empty`:
    nothing staged),
    and when one chunk is enough. The chunks: the report rows an entity day is computed
    from (the keyword, campaign and ad reports' rows), divided by
    var('suggestions__build_chunk_rows'), rounded up. The same answer in the model's SQL,
    compiled first, and in its hooks: the data does not change in between.
#}
{% macro suggestion_entity_days_staging() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set per_chunk = var('suggestions__build_chunk_rows') -%}
    {%- if per_chunk is not number or per_chunk is sameas true or per_chunk is sameas false
        or per_chunk < 0 or per_chunk != (per_chunk | int) -%}
        {{ exceptions.raise_compiler_error(
            "var suggestions__build_chunk_rows is " ~ per_chunk ~ ": set it to a whole number"
            ~ " of report rows per chunk of fct_suggestions_daily's full build (0: one chunk)"
        ) }}
    {%- endif -%}
    {%- if per_chunk == 0 or target.type != 'duckdb' or model.resource_type != 'model'
        or flags.WHICH not in ('run', 'build', 'retry') or flags.EMPTY or is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set counted = run_query(
        'select (select count(*) from ' ~ argo.node_relation('rpt_keyword_performance_daily')
        ~ ') + (select count(*) from ' ~ argo.node_relation('rpt_campaign_performance_daily')
        ~ ') + (select count(*) from ' ~ argo.node_relation('fct_ad_performance_daily') ~ ')'
    ) -%}
    {%- set rows = counted.rows[0][0] | int -%}
    {%- set chunks = ((rows + (per_chunk | int) - 1) // (per_chunk | int)) | int -%}
    {%- if chunks <= 1 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({
        'relation': argo.staged_suggestion_entity_days_relation(),
        'chunks': chunks,
    }) }}
{%- endmacro %}

{#
    Pre-hook of fct_suggestions_daily: when its full build stages its entity days
    (argo.suggestion_entity_days_staging), computes them into that table one chunk at a
    time (argo.suggestion_entity_days_sql with `chunk`), so that DuckDB's memory follows
    a chunk's entities, not every entity of the history: their roughly 50 trailing-window
    figures over every entity day are most of the build's work. In the build's
    transaction, in the build schema (which readers do not see); the post-hook
    argo.drop_staged_suggestion_entity_days drops it. Nothing otherwise.
#}
{% macro stage_suggestion_entity_days() -%}
    {%- set staging = argo.suggestion_entity_days_staging() -%}
    {%- if staging is not none -%}
        {%- for k in range(staging.chunks) -%}
            {%- set rows = argo.suggestion_entity_days_sql(chunk=(k, staging.chunks)) -%}
            {%- if loop.first -%}
                {%- do run_query(
                    'create or replace table ' ~ staging.relation ~ ' as ' ~ rows
                ) -%}
            {%- else -%}
                {%- do run_query('insert into ' ~ staging.relation ~ ' ' ~ rows) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#-
    Post-hook of fct_suggestions_daily on DuckDB: drops the staged entity days, if any (a
    build that failed after staging them leaves them too: the next build drops them).
-#}
{% macro drop_staged_suggestion_entity_days() -%}
    {%- if execute and target.type == 'duckdb' -%}
        drop table if exists {{ argo.staged_suggestion_entity_days_relation() }}
    {%- endif -%}
{%- endmacro %}

{#- The table the staged entity days are computed into: `<this>__entity_days`. -#}
{% macro staged_suggestion_entity_days_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__entity_days'})) }}
{%- endmacro %}

{#
    The ids of a suggestion entity, aggregated over its rows (of `rows`, when named): each
    the one value its rows hold (an entity's ids are part of its entity_key). Shared by
    what an entity is over its life (argo.suggestion_entity_days_sql) and over a month
    (int_suggestions__entity_months).
#}
{% macro suggestion_entity_ids(rows=none) -%}
    {%- set prefix = rows ~ '.' if rows else '' -%}
    {%- for id in [
        'advertiser_id', 'platform', 'account_id', 'campaign_id', 'ad_group_id', 'ad_id',
        'keyword_id',
    ] %}
        max({{ prefix }}{{ id }}) as {{ id }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
