-- marts.rpt_campaign_performance_daily as ONE hand-written DuckDB query, straight from the
-- raw dlt tables (raw_meta_ads, raw_google_ads, raw_naver_searchad, raw_kakao_moment,
-- raw_exchange_rates, raw_kr_holidays, raw_appsflyer, raw_adjust, raw_weather) and the
-- seed CSVs under {seeds_dir}. It is the baseline of the "dbt build vs one hand-written
-- query" benchmark: same rows, same columns, same values as a full `dbt build` (the
-- incremental lookback filter does not apply: the whole history is computed).
--
-- The dbt vars it hard-codes, at their dbt_project.yml defaults:
--   * every source enabled: meta_ads, google_ads, naver_searchad, kakao_moment,
--     appsflyer, adjust, kr_holidays, weather, exchange_rates (and the raw_<source>
--     schema names);
--   * reporting_currency = KRW (so a currency's rate into the reporting currency is its
--     won rate, and KRW itself converts at exactly 1);
--   * exchange_rates__providers = [koreaexim, frankfurter] (an unlisted provider ranks
--     last, ties by name); exchange_rates__max_carry_forward_days = 7;
--   * argo__calendar_start / argo__calendar_end = 2024-01-01 / 2027-12-31 (dim_dates and
--     the rate calendar: days outside it get no rate and no date attributes);
--   * naver_searchad__vat_rate = 0.1, naver_searchad__vat_included_from = 2026-03-30;
--   * weather__primary_station = 108 (Seoul), weather__providers = [kma_asos, open_meteo].
-- Seeds read from CSV: ad_conversion_types (which conversion types count),
-- tracker_media_sources (tracker media source -> platform) and tracker_event_types
-- (purchase / sign-up / revenue events).
--
-- Money follows the models' rounding points exactly: Naver's VAT is taken off per ad-day;
-- amounts are converted into KRW per ad-day (ad side) and per tracker day, app,
-- media source, campaign and country (tracker side), each rounded to 0.0001, then summed.

with

-- Seeds ----------------------------------------------------------------------------------

counted_conversion_types as (

    select
        platform,
        conversion_type

    from read_csv('{seeds_dir}/ad_conversion_types.csv', header = true, all_varchar = true)
    where cast(is_counted as boolean)

),

tracker_media_sources as (

    select
        tracker,
        media_source,
        platform

    from read_csv('{seeds_dir}/tracker_media_sources.csv', header = true, all_varchar = true)
    where platform is not null

),

tracker_event_types as (

    select
        tracker,
        event_name,
        event_common_name,
        cast(is_revenue_event as boolean) as is_revenue_event

    from read_csv('{seeds_dir}/tracker_event_types.csv', header = true, all_varchar = true)

),

-- Calendar, exchange rates, dates ----------------------------------------------------------

calendar as (

    select cast(generate_series as date) as date_day
    from generate_series(date '2024-01-01', date '2027-12-31', interval 1 day)

),

-- One published won rate per day and currency: the preferred provider's.
published_rates as (

    select
        cast(rate_date as date) as rate_date,
        upper(trim(currency_code)) as currency_code,
        cast(rate_per_unit as decimal(24, 10)) as krw_per_unit

    from raw_exchange_rates.exchange_rates
    where upper(trim(base_currency)) = 'KRW'
    qualify row_number() over (
        partition by cast(rate_date as date), upper(trim(currency_code))
        order by
            case provider when 'koreaexim' then 1 when 'frankfurter' then 2 else 3 end,
            provider
    ) = 1

),

-- Rate into KRW for every calendar day: the newest published rate at most 7 days old
-- (asof join: the latest rate_date on or before the day), through the won (the
-- reporting currency's own won rate is 1); KRW itself at exactly 1.
exchange_rates as (

    select
        calendar.date_day,
        currencies.currency_code,
        cast(published_rates.krw_per_unit / cast(1 as decimal(24, 10)) as decimal(24, 10))
            as exchange_rate

    from calendar
    cross join (
        select distinct currency_code
        from published_rates
        where currency_code != 'KRW'
    ) as currencies
    asof join published_rates
        on
            currencies.currency_code = published_rates.currency_code
            and calendar.date_day >= published_rates.rate_date
    where published_rates.rate_date >= calendar.date_day - 7

    union all

    select
        date_day,
        'KRW' as currency_code,
        cast(1 as decimal(24, 10)) as exchange_rate

    from calendar

),

holiday_days as (

    select
        cast(holiday_date as date) as holiday_date,
        string_agg(holiday_name, ' / ' order by holiday_name) as holiday_name,
        bool_or(coalesce(is_substitute, false)) as is_substitute_holiday

    from raw_kr_holidays.holidays
    where coalesce(is_holiday, false)
    group by 1

),

-- Primary station's weather, first provider with data.
primary_weather as (

    select
        cast(weather_date as date) as date_day,
        cast(station_id as varchar) as station_id,
        cast(avg_temp_c as double) as avg_temp_c,
        cast(precipitation_mm as double) as precipitation_mm

    from raw_weather.daily_weather
    where cast(station_id as varchar) = '108'
    qualify row_number() over (
        partition by cast(weather_date as date)
        order by
            case provider when 'kma_asos' then 1 when 'open_meteo' then 2 else 3 end,
            provider
    ) = 1

),

dates as (

    select
        calendar.date_day,
        cast(extract(isodow from calendar.date_day) as integer) as day_of_week,
        extract(isodow from calendar.date_day) >= 6 as is_weekend,
        holiday_days.holiday_date is not null as is_holiday,
        holiday_days.holiday_name,
        coalesce(holiday_days.is_substitute_holiday, false) as is_substitute_holiday,
        primary_weather.station_id as weather_station_id,
        primary_weather.avg_temp_c,
        primary_weather.precipitation_mm,
        primary_weather.precipitation_mm >= 1 as is_rainy_day

    from calendar
    left join holiday_days
        on calendar.date_day = holiday_days.holiday_date
    left join primary_weather
        on calendar.date_day = primary_weather.date_day

),

-- Platform lookups --------------------------------------------------------------------------

google_customers as (

    select
        customer_id as account_id,
        upper(trim(currency_code)) as currency_code

    from raw_google_ads.customers

),

-- Naver has no account object: a customer is known from its campaigns and stats, in won.
naver_accounts as (

    select customer_id as account_id from raw_naver_searchad.campaigns
    union
    select customer_id as account_id from raw_naver_searchad.ad_stats_daily

),

kakao_accounts as (

    select
        ad_account_id as account_id,
        upper(trim(currency)) as currency_code

    from raw_kakao_moment.ad_accounts

),

-- Kakao report rows with campaign and ad group filled from the creatives listing.
kakao_reports as (

    select
        cast(reports.report_date as date) as date_day,
        reports.ad_account_id as account_id,
        reports.creative_id as ad_id,
        coalesce(reports.campaign_id, creatives.campaign_id) as campaign_id,
        coalesce(reports.ad_group_id, creatives.ad_group_id) as ad_group_id,
        kakao_accounts.currency_code,
        cast(coalesce(reports.imp, 0) as bigint) as impressions,
        cast(coalesce(reports.click, 0) as bigint) as clicks,
        cast(coalesce(reports.cost, 0) as decimal(28, 6)) as spend

    from raw_kakao_moment.creative_report as reports
    left join raw_kakao_moment.creatives as creatives
        on
            reports.ad_account_id = creatives.ad_account_id
            and reports.creative_id = creatives.id
    left join kakao_accounts
        on reports.ad_account_id = kakao_accounts.account_id

),

-- Naver stat rows (per keyword, media, device) summed to the ad-day; spend before VAT.
naver_ad_days as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        impressions,
        clicks,
        cast(
            case
                when date_day >= date '2026-03-30'
                    then round(reported_cost / cast(1 + 0.1 as decimal(28, 6)), 4)
                else reported_cost
            end
            as decimal(28, 6)
        ) as spend

    from (
        select
            cast(stat_date as date) as date_day,
            customer_id as account_id,
            campaign_id,
            ad_group_id,
            ad_id,
            sum(coalesce(impressions, 0)) as impressions,
            sum(coalesce(clicks, 0)) as clicks,
            cast(sum(cast(coalesce(cost, 0) as decimal(28, 6))) as decimal(28, 6))
                as reported_cost

        from raw_naver_searchad.ad_stats_daily
        group by 1, 2, 3, 4, 5
    ) as stats

),

-- Campaigns (dim_campaigns): listed ones, plus those only the performance rows name ------

campaigns as (

    select
        'meta_ads' as platform,
        account_id,
        id as campaign_id,
        name as campaign_name

    from raw_meta_ads.campaigns

    union all

    -- Deleted Meta campaigns: named as their latest insights row names them.
    select
        'meta_ads' as platform,
        insights.account_id,
        insights.campaign_id,
        insights.campaign_name

    from (
        select
            account_id,
            campaign_id,
            campaign_name

        from raw_meta_ads.ads_insights
        where campaign_id is not null
        qualify row_number() over (
            partition by account_id, campaign_id
            order by date_start desc, _loaded_at desc, campaign_name asc
        ) = 1
    ) as insights
    anti join raw_meta_ads.campaigns as listed
        on
            insights.account_id = listed.account_id
            and insights.campaign_id = listed.id

    union all

    select
        'google_ads' as platform,
        customer_id as account_id,
        campaign_id,
        name as campaign_name

    from raw_google_ads.campaigns

    union all

    select
        'naver_searchad' as platform,
        customer_id as account_id,
        campaign_id,
        name as campaign_name

    from raw_naver_searchad.campaigns

    union all

    select distinct
        'naver_searchad' as platform,
        naver_ad_days.account_id,
        naver_ad_days.campaign_id,
        cast(null as varchar) as campaign_name

    from naver_ad_days
    anti join raw_naver_searchad.campaigns as listed
        on
            naver_ad_days.account_id = listed.customer_id
            and naver_ad_days.campaign_id = listed.campaign_id
    where naver_ad_days.campaign_id is not null

    union all

    select
        'kakao_moment' as platform,
        ad_account_id as account_id,
        id as campaign_id,
        name as campaign_name

    from raw_kakao_moment.campaigns

    union all

    select distinct
        'kakao_moment' as platform,
        kakao_reports.account_id,
        kakao_reports.campaign_id,
        cast(null as varchar) as campaign_name

    from kakao_reports
    anti join raw_kakao_moment.campaigns as listed
        on
            kakao_reports.account_id = listed.ad_account_id
            and kakao_reports.campaign_id = listed.id
    where kakao_reports.campaign_id is not null

),

-- Ad side: delivery rows and counted conversion rows of every platform -----------------------

ad_rows as (

    select
        cast(date_start as date) as date_day,
        'meta_ads' as platform,
        account_id,
        campaign_id,
        adset_id as ad_group_id,
        ad_id,
        upper(trim(account_currency)) as currency_code,
        cast(coalesce(impressions, 0) as bigint) as impressions,
        cast(coalesce(clicks, 0) as bigint) as clicks,
        cast(coalesce(spend, 0) as decimal(28, 6)) as spend,
        cast(0 as double) as conversions,
        cast(0 as decimal(28, 6)) as conversions_value

    from raw_meta_ads.ads_insights

    union all

    -- Meta actions of a counted type; campaign, ad set and currency from the insights row.
    select
        cast(actions.date_start as date) as date_day,
        'meta_ads' as platform,
        actions.account_id,
        insights.campaign_id,
        insights.adset_id as ad_group_id,
        actions.ad_id,
        upper(trim(insights.account_currency)) as currency_code,
        0 as impressions,
        0 as clicks,
        0 as spend,
        coalesce(cast(actions.action_count as double), 0) as conversions,
        coalesce(cast(actions.action_value as decimal(28, 6)), 0) as conversions_value

    from raw_meta_ads.ads_insights_actions as actions
    inner join counted_conversion_types
        on
            counted_conversion_types.platform = 'meta_ads'
            and actions.action_type = counted_conversion_types.conversion_type
    inner join raw_meta_ads.ads_insights as insights
        on
            actions.account_id = insights.account_id
            and actions.ad_id = insights.ad_id
            and actions.date_start = insights.date_start

    union all

    select
        cast(stats.segments_date as date) as date_day,
        'google_ads' as platform,
        stats.customer_id as account_id,
        stats.campaign_id,
        stats.ad_group_id,
        stats.ad_id,
        google_customers.currency_code,
        cast(coalesce(stats.impressions, 0) as bigint) as impressions,
        cast(coalesce(stats.clicks, 0) as bigint) as clicks,
        cast(coalesce(stats.cost, 0) as decimal(28, 6)) as spend,
        0 as conversions,
        0 as conversions_value

    from raw_google_ads.ad_performance_daily as stats
    left join google_customers
        on stats.customer_id = google_customers.account_id

    union all

    -- Google: all_conversions of the counted conversion action categories.
    select
        cast(stats.segments_date as date) as date_day,
        'google_ads' as platform,
        stats.customer_id as account_id,
        stats.campaign_id,
        stats.ad_group_id,
        stats.ad_id,
        google_customers.currency_code,
        0 as impressions,
        0 as clicks,
        0 as spend,
        cast(coalesce(stats.all_conversions, 0) as double) as conversions,
        cast(coalesce(stats.all_conversions_value, 0) as decimal(28, 6)) as conversions_value

    from raw_google_ads.ad_conversions_daily as stats
    inner join counted_conversion_types
        on
            counted_conversion_types.platform = 'google_ads'
            and stats.conversion_action_category = counted_conversion_types.conversion_type
    left join google_customers
        on stats.customer_id = google_customers.account_id

    union all

    select
        naver_ad_days.date_day,
        'naver_searchad' as platform,
        naver_ad_days.account_id,
        naver_ad_days.campaign_id,
        naver_ad_days.ad_group_id,
        naver_ad_days.ad_id,
        case when naver_accounts.account_id is not null then 'KRW' end as currency_code,
        naver_ad_days.impressions,
        naver_ad_days.clicks,
        naver_ad_days.spend,
        0 as conversions,
        0 as conversions_value

    from naver_ad_days
    left join naver_accounts
        on naver_ad_days.account_id = naver_accounts.account_id

    union all

    -- Naver: conversion type named with its method (purchase_direct, ...).
    select
        cast(stats.stat_date as date) as date_day,
        'naver_searchad' as platform,
        stats.customer_id as account_id,
        stats.campaign_id,
        stats.ad_group_id,
        stats.ad_id,
        case when naver_accounts.account_id is not null then 'KRW' end as currency_code,
        0 as impressions,
        0 as clicks,
        0 as spend,
        cast(coalesce(stats.conversions, 0) as double) as conversions,
        cast(coalesce(stats.sales_amount, 0) as decimal(28, 6)) as conversions_value

    from raw_naver_searchad.ad_conversion_stats_daily as stats
    inner join counted_conversion_types
        on
            counted_conversion_types.platform = 'naver_searchad'
            and trim(stats.conversion_type) || '_'
            || case stats.conversion_method when 1 then 'direct' when 2 then 'indirect' end
            = counted_conversion_types.conversion_type
    left join naver_accounts
        on stats.customer_id = naver_accounts.account_id

    union all

    select
        date_day,
        'kakao_moment' as platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        impressions,
        clicks,
        spend,
        0 as conversions,
        0 as conversions_value

    from kakao_reports

    union all

    -- Kakao: campaign and ad group from the same day's report row, else the creative.
    select
        cast(conversions.report_date as date) as date_day,
        'kakao_moment' as platform,
        conversions.ad_account_id as account_id,
        coalesce(kakao_reports.campaign_id, creatives.campaign_id) as campaign_id,
        coalesce(kakao_reports.ad_group_id, creatives.ad_group_id) as ad_group_id,
        conversions.creative_id as ad_id,
        kakao_accounts.currency_code,
        0 as impressions,
        0 as clicks,
        0 as spend,
        coalesce(cast(conversions.conversions as double), 0) as conversions,
        coalesce(cast(conversions.conversion_value as decimal(28, 6)), 0) as conversions_value

    from raw_kakao_moment.creative_report_conversions as conversions
    inner join counted_conversion_types
        on
            counted_conversion_types.platform = 'kakao_moment'
            and conversions.conversion_type = counted_conversion_types.conversion_type
    left join kakao_reports
        on
            conversions.ad_account_id = kakao_reports.account_id
            and conversions.creative_id = kakao_reports.ad_id
            and cast(conversions.report_date as date) = kakao_reports.date_day
    left join raw_kakao_moment.creatives as creatives
        on
            conversions.ad_account_id = creatives.ad_account_id
            and conversions.creative_id = creatives.id
    left join kakao_accounts
        on conversions.ad_account_id = kakao_accounts.account_id

),

-- One row per ad-day (fct_ad_performance_daily's grain).
ad_days as (

    select
        date_day,
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(spend) as decimal(28, 6)) as spend,
        cast(sum(conversions) as double) as conversions,
        cast(sum(conversions_value) as decimal(28, 6)) as conversions_value

    from ad_rows
    group by 1, 2, 3, 4, 5, 6, 7

),

-- Ad-days converted into KRW (rounded per ad-day), summed to the campaign-day.
campaign_days as (

    select
        ad_days.date_day,
        ad_days.platform,
        ad_days.account_id,
        ad_days.campaign_id,
        ad_days.currency_code,
        max(exchange_rates.exchange_rate) as exchange_rate,
        cast(sum(ad_days.spend) as decimal(28, 6)) as spend,
        cast(sum(ad_days.impressions) as bigint) as impressions,
        cast(sum(ad_days.clicks) as bigint) as clicks,
        cast(sum(ad_days.conversions) as double) as conversions,
        cast(sum(ad_days.conversions_value) as decimal(28, 6)) as conversions_value,
        cast(
            sum(cast(round(ad_days.spend * exchange_rates.exchange_rate, 4) as decimal(28, 6)))
            as decimal(28, 6)
        ) as spend_in_reporting_currency,
        cast(
            sum(
                cast(
                    round(ad_days.conversions_value * exchange_rates.exchange_rate, 4)
                    as decimal(28, 6)
                )
            )
            as decimal(28, 6)
        ) as conversions_value_in_reporting_currency

    from ad_days
    left join exchange_rates
        on
            ad_days.date_day = exchange_rates.date_day
            and ad_days.currency_code = exchange_rates.currency_code
    group by 1, 2, 3, 4, 5

),

-- Tracker side: installs and in-app events attributed to a platform's campaign ----------------

tracker_rows as (

    select
        cast(install_date as date) as date_day,
        'appsflyer' as tracker,
        app_id,
        media_source,
        campaign_id,
        upper(country_code) as country_code,
        1 as installs,
        0 as purchases,
        0 as sign_ups,
        0 as revenue,
        'USD' as revenue_currency_code

    from raw_appsflyer.installs

    union all

    select
        cast(events.event_date as date) as date_day,
        'appsflyer' as tracker,
        events.app_id,
        events.media_source,
        events.campaign_id,
        upper(events.country_code) as country_code,
        0 as installs,
        case when event_types.event_common_name = 'purchase' then 1 else 0 end as purchases,
        case when event_types.event_common_name = 'sign_up' then 1 else 0 end as sign_ups,
        case
            when event_types.is_revenue_event
                then coalesce(cast(events.event_revenue_usd as decimal(28, 6)), 0)
            else 0
        end as revenue,
        'USD' as revenue_currency_code

    from raw_appsflyer.in_app_events as events
    left join tracker_event_types as event_types
        on
            event_types.tracker = 'appsflyer'
            and events.event_name = event_types.event_name

    union all

    -- Adjust writes 'unknown' for a missing campaign (organic).
    select
        cast(day as date) as date_day,
        'adjust' as tracker,
        app_token as app_id,
        network as media_source,
        nullif(campaign_id_network, 'unknown') as campaign_id,
        upper(country_code) as country_code,
        coalesce(installs, 0) as installs,
        0 as purchases,
        0 as sign_ups,
        0 as revenue,
        upper(currency) as revenue_currency_code

    from raw_adjust.report_daily

    union all

    select
        cast(events.day as date) as date_day,
        'adjust' as tracker,
        events.app_token as app_id,
        events.network as media_source,
        nullif(events.campaign_id_network, 'unknown') as campaign_id,
        upper(events.country_code) as country_code,
        0 as installs,
        case
            when event_types.event_common_name = 'purchase' then coalesce(events.events, 0)
            else 0
        end as purchases,
        case
            when event_types.event_common_name = 'sign_up' then coalesce(events.events, 0)
            else 0
        end as sign_ups,
        case
            when event_types.is_revenue_event
                then cast(coalesce(events.event_revenue, 0) as decimal(28, 6))
            else 0
        end as revenue,
        upper(events.currency) as revenue_currency_code

    from raw_adjust.report_daily_events as events
    left join tracker_event_types as event_types
        on
            event_types.tracker = 'adjust'
            and events.event_slug = event_types.event_name

),

-- fct_tracker_performance_daily's grain, keeping only media sources that name a platform
-- and rows with a campaign id (the only ones the report can use).
tracker_groups as (

    select
        tracker_rows.date_day,
        tracker_media_sources.platform,
        tracker_rows.campaign_id,
        sum(tracker_rows.installs) as installs,
        sum(tracker_rows.purchases) as purchases,
        sum(tracker_rows.sign_ups) as sign_ups,
        cast(sum(tracker_rows.revenue) as decimal(28, 6)) as revenue,
        max(tracker_rows.revenue_currency_code) as revenue_currency_code

    from tracker_rows
    inner join tracker_media_sources
        on
            tracker_rows.tracker = tracker_media_sources.tracker
            and tracker_rows.media_source = tracker_media_sources.media_source
    where tracker_rows.campaign_id is not null
    group by
        tracker_rows.date_day,
        tracker_rows.tracker,
        tracker_rows.app_id,
        tracker_rows.media_source,
        tracker_rows.campaign_id,
        tracker_rows.country_code,
        tracker_media_sources.platform

),

-- Revenue into KRW per tracker group (rounded there); the campaign id names the account.
tracker_days as (

    select
        tracker_groups.date_day,
        tracker_groups.platform,
        campaigns.account_id,
        tracker_groups.campaign_id,
        cast(sum(tracker_groups.installs) as bigint) as tracker_installs,
        cast(sum(tracker_groups.purchases) as bigint) as tracker_purchases,
        cast(sum(tracker_groups.sign_ups) as bigint) as tracker_sign_ups,
        cast(
            sum(
                cast(
                    round(tracker_groups.revenue * exchange_rates.exchange_rate, 4)
                    as decimal(28, 6)
                )
            )
            as decimal(28, 6)
        ) as tracker_revenue_in_reporting_currency

    from tracker_groups
    inner join campaigns
        on
            tracker_groups.platform = campaigns.platform
            and tracker_groups.campaign_id = campaigns.campaign_id
    left join exchange_rates
        on
            tracker_groups.date_day = exchange_rates.date_day
            and tracker_groups.revenue_currency_code = exchange_rates.currency_code
    group by 1, 2, 3, 4

)

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
    cast(campaign_days.clicks as double)
    / nullif(cast(campaign_days.impressions as double), 0) as ctr,
    cast(campaign_days.spend as double)
    / nullif(cast(campaign_days.clicks as double), 0) as cpc,
    cast(campaign_days.spend * 1000 as double)
    / nullif(cast(campaign_days.impressions as double), 0) as cpm,
    cast(campaign_days.spend as double)
    / nullif(cast(campaign_days.conversions as double), 0) as cpa,
    cast(campaign_days.conversions_value as double)
    / nullif(cast(campaign_days.spend as double), 0) as roas,
    'KRW' as reporting_currency_code,
    campaign_days.exchange_rate,
    campaign_days.spend_in_reporting_currency,
    campaign_days.conversions_value_in_reporting_currency,
    coalesce(tracker_days.tracker_installs, 0) as tracker_installs,
    coalesce(tracker_days.tracker_purchases, 0) as tracker_purchases,
    coalesce(tracker_days.tracker_sign_ups, 0) as tracker_sign_ups,
    cast(
        round(
            coalesce(tracker_days.tracker_revenue_in_reporting_currency, 0)
            / campaign_days.exchange_rate,
            4
        )
        as decimal(28, 6)
    ) as tracker_revenue,
    cast(coalesce(tracker_days.tracker_revenue_in_reporting_currency, 0) as decimal(28, 6))
        as tracker_revenue_in_reporting_currency,
    cast(campaign_days.spend as double)
    / nullif(cast(tracker_days.tracker_installs as double), 0) as tracker_cpi,
    cast(tracker_days.tracker_revenue_in_reporting_currency as double)
    / nullif(cast(campaign_days.spend_in_reporting_currency as double), 0) as tracker_roas,
    dates.day_of_week,
    dates.is_weekend,
    dates.is_holiday,
    dates.holiday_name,
    dates.is_substitute_holiday,
    dates.weather_station_id,
    dates.avg_temp_c,
    dates.precipitation_mm,
    dates.is_rainy_day

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
