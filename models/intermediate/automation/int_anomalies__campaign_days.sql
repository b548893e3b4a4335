-- One row per campaign and day from the campaign's first day with a row to the as-of day
-- (the newest day in rpt_campaign_performance_daily) while the campaign is live, else to
-- its last day with a row: a live campaign's day without a row is a zero day, so a stop
-- in delivery is seen instead of being a day that is not there.
with

performance as (

    select * from {{ ref('rpt_campaign_performance_daily') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

conversions as (

    select * from {{ ref('fct_ad_conversions_daily') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

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
