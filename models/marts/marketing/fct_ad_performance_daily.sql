{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'platform', 'account_id', 'ad_group_id', 'ad_id']
)) }}

with

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}
    where {{ argo.in_lookback_window() }}

),

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

final as (

    select
        ad_performance.date_day,
        ad_performance.platform,
        ad_performance.account_id,
        ad_performance.campaign_id,
        ad_performance.ad_group_id,
        ad_performance.ad_id,
        ad_performance.currency_code,
        ad_performance.impressions,
        ad_performance.clicks,
        ad_performance.spend,
        ad_performance.reach,
        ad_performance.conversions,
        ad_performance.conversions_value,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        exchange_rates.exchange_rate,
        {{ argo.in_reporting_currency('ad_performance.spend', 'exchange_rates.exchange_rate') }}
            as spend_in_reporting_currency,
        {{ argo.in_reporting_currency(
            'ad_performance.conversions_value', 'exchange_rates.exchange_rate'
        ) }} as conversions_value_in_reporting_currency,
        ad_performance.source_relation,
        {{ argo.advertiser_columns('advertisers') }}

    from ad_performance
    left join exchange_rates
        on
            ad_performance.date_day = exchange_rates.date_day
            and ad_performance.currency_code = exchange_rates.currency_code
    left join advertisers
        on
            ad_performance.platform = advertisers.platform
            and ad_performance.account_id = advertisers.account_id

)

select * from final
