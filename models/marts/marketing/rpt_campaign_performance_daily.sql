{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'platform', 'account_id', 'campaign_id']
)) }}

with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}
    where {{ argo.in_lookback_window() }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

tracker_performance as (

    select * from {{ ref('fct_tracker_performance_daily') }}
    where {{ argo.in_lookback_window() }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

campaign_days as (

    -- Same types as the fact (sums widen them on DuckDB). Reach is left out: people
    -- reached by two ads are not twice as many people.
    select
        date_day,
        platform,
        account_id,
        campaign_id,
        currency_code,
        reporting_currency_code,
        max(exchange_rate) as exchange_rate,
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value,
        cast(sum(spend_in_reporting_currency) as {{ dbt.type_numeric() }})
            as spend_in_reporting_currency,
        cast(sum(conversions_value_in_reporting_currency) as {{ dbt.type_numeric() }})
            as conversions_value_in_reporting_currency,
        advertiser_id,
        advertiser_name

    from ad_performance
    group by 1, 2, 3, 4, 5, 6, 15, 16

),

-- What the trackers attribute to the campaign that day, over apps and countries. Kept
-- beside the platform's own conversions, never added to them.
tracker_days as (

    select
        date_day,
        platform,
        account_id,
        campaign_id,
        cast(sum(installs) as {{ dbt.type_bigint() }}) as tracker_installs,
        cast(sum(purchases) as {{ dbt.type_bigint() }}) as tracker_purchases,
        cast(sum(sign_ups) as {{ dbt.type_bigint() }}) as tracker_sign_ups,
        cast(sum(revenue_in_reporting_currency) as {{ dbt.type_numeric() }})
            as tracker_revenue_in_reporting_currency

    from tracker_performance
    where platform is not null and campaign_id is not null
    group by 1, 2, 3, 4

),

final as (

    select
        campaign_days.date_day,
        campaign_days.platform,
        campaign_days.account_id,
        campaign_days.campaign_id,
        campaigns.campaign_name,
        campaign_days.currency_code,
        campaign_days.spend,
        campaign_days.impressions,
        campaign_days.clicks,
        campaign_days.conversions,
        campaign_days.conversions_value,
        {{ argo.safe_divide('campaign_days.clicks', 'campaign_days.impressions') }} as ctr,
        {{ argo.safe_divide('campaign_days.spend', 'campaign_days.clicks') }} as cpc,
        {{ argo.safe_divide('campaign_days.spend * 1000', 'campaign_days.impressions') }} as cpm,
        {{ argo.safe_divide('campaign_days.spend', 'campaign_days.conversions') }} as cpa,
        {{ argo.safe_divide('campaign_days.conversions_value', 'campaign_days.spend') }} as roas,
        campaign_days.reporting_currency_code,
        campaign_days.exchange_rate,
        campaign_days.spend_in_reporting_currency,
        campaign_days.conversions_value_in_reporting_currency,
        coalesce(tracker_days.tracker_installs, 0) as tracker_installs,
        coalesce(tracker_days.tracker_purchases, 0) as tracker_purchases,
        coalesce(tracker_days.tracker_sign_ups, 0) as tracker_sign_ups,
        -- Tracker revenue in the account's currency: through the reporting currency at
        -- the day's rates (exact when the account bills in the reporting currency).
        cast(
            round(
                coalesce(tracker_days.tracker_revenue_in_reporting_currency, 0)
                / campaign_days.exchange_rate,
                4
            )
            as {{ dbt.type_numeric() }}
        ) as tracker_revenue,
        cast(
            coalesce(tracker_days.tracker_revenue_in_reporting_currency, 0)
            as {{ dbt.type_numeric() }}
        ) as tracker_revenue_in_reporting_currency,
        {{ argo.safe_divide('campaign_days.spend', 'tracker_days.tracker_installs') }}
            as tracker_cpi,
        {{ argo.safe_divide(
            'tracker_days.tracker_revenue_in_reporting_currency',
            'campaign_days.spend_in_reporting_currency'
        ) }} as tracker_roas,
        dates.day_of_week,
        dates.is_weekend,
        dates.is_holiday,
        dates.holiday_name,
        dates.is_substitute_holiday,
        dates.weather_station_id,
        dates.avg_temp_c,
        dates.precipitation_mm,
        dates.is_rainy_day,
        {{ argo.advertiser_columns('campaign_days') }}

    from campaign_days
    left join campaigns
        on
            campaign_days.platform = campaigns.platform
            and campaign_days.account_id = campaigns.account_id
            and campaign_days.campaign_id = campaigns.campaign_id
    left join tracker_days
        on
            campaign_days.date_day = tracker_days.date_day
            and campaign_days.platform = tracker_days.platform
            and campaign_days.account_id = tracker_days.account_id
            and campaign_days.campaign_id = tracker_days.campaign_id
    left join dates
        on campaign_days.date_day = dates.date_day

)

select * from final
