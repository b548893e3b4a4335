with

installs as (

    select * from {{ ref('int_tracker_installs_daily') }}

),

events as (

    select * from {{ ref('int_tracker_events_daily') }}

),

event_types as (

    select * from {{ ref('tracker_event_types') }}

),

media_sources as (

    select * from {{ ref('tracker_media_sources') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

-- Installs and events stacked and summed to the grain, so a day with events of earlier
-- installs but no new install keeps its events (and the reverse).
stacked as (

    select
        date_day,
        tracker,
        app_id,
        media_source,
        campaign_id,
        campaign_name,
        country_code,
        installs,
        cast(0 as {{ dbt.type_bigint() }}) as purchases,
        cast(0 as {{ dbt.type_bigint() }}) as sign_ups,
        cast(0 as {{ dbt.type_numeric() }}) as revenue,
        revenue_currency_code

    from installs

    union all

    select
        events.date_day,
        events.tracker,
        events.app_id,
        events.media_source,
        events.campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name,
        events.country_code,
        cast(0 as {{ dbt.type_bigint() }}) as installs,
        case when event_types.event_common_name = 'purchase' then events.event_count else 0 end
            as purchases,
        case when event_types.event_common_name = 'sign_up' then events.event_count else 0 end
            as sign_ups,
        case when event_types.is_revenue_event then events.revenue else 0 end as revenue,
        events.revenue_currency_code

    from events
    left join event_types
        on
            events.tracker = event_types.tracker
            and events.event_name = event_types.event_name

),

summed as (

    select
        date_day,
        tracker,
        app_id,
        media_source,
        campaign_id,
        country_code,
        max(campaign_name) as campaign_name,
        cast(sum(installs) as {{ dbt.type_bigint() }}) as installs,
        cast(sum(purchases) as {{ dbt.type_bigint() }}) as purchases,
        cast(sum(sign_ups) as {{ dbt.type_bigint() }}) as sign_ups,
        cast(sum(revenue) as {{ dbt.type_numeric() }}) as revenue,
        max(revenue_currency_code) as revenue_currency_code

    from stacked
    group by 1, 2, 3, 4, 5, 6

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

-- The tracker's media source names the platform (seed tracker_media_sources); the
-- platform's campaign id then names the account.
final as (

    select
        summed.date_day,
        summed.tracker,
        summed.app_id,
        summed.media_source,
        media_sources.platform,
        coalesce(media_sources.is_organic, false) as is_organic,
        campaigns.account_id,
        summed.campaign_id,
        coalesce(campaigns.campaign_name, summed.campaign_name) as campaign_name,
        summed.country_code,
        summed.installs,
        summed.purchases,
        summed.sign_ups,
        summed.revenue,
        summed.revenue_currency_code,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        exchange_rates.exchange_rate,
        {{ argo.in_reporting_currency('summed.revenue', 'exchange_rates.exchange_rate') }}
            as revenue_in_reporting_currency,
        -- The app's advertiser (the plan maps tracker apps like ad accounts).
        {{ argo.advertiser_columns('advertisers') }}

    from summed
    left join media_sources
        on
            summed.tracker = media_sources.tracker
            and summed.media_source = media_sources.media_source
    left join campaigns
        on
            media_sources.platform = campaigns.platform
            and summed.campaign_id = campaigns.campaign_id
    left join exchange_rates
        on
            summed.date_day = exchange_rates.date_day
            and summed.revenue_currency_code = exchange_rates.currency_code
    left join advertisers
        on
            summed.tracker = advertisers.platform
            and summed.app_id = advertisers.account_id

)

select * from final
