{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'platform', 'account_id', 'ad_group_id', 'ad_id', 'conversion_type']
)) }}

with

conversions as (

    select * from {{ ref('int_ad_conversions_unioned') }}
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
        conversions.date_day,
        conversions.platform,
        conversions.account_id,
        conversions.campaign_id,
        conversions.ad_group_id,
        conversions.ad_id,
        conversions.conversion_type,
        conversions.conversion_name,
        conversions.is_counted,
        conversions.currency_code,
        conversions.conversions,
        conversions.conversions_value,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        exchange_rates.exchange_rate,
        {{ argo.in_reporting_currency(
            'conversions.conversions_value', 'exchange_rates.exchange_rate'
        ) }} as conversions_value_in_reporting_currency,
        conversions.source_relation,
        {{ argo.advertiser_columns('advertisers') }}

    from conversions
    left join exchange_rates
        on
            conversions.date_day = exchange_rates.date_day
            and conversions.currency_code = exchange_rates.currency_code
    left join advertisers
        on
            conversions.platform = advertisers.platform
            and conversions.account_id = advertisers.account_id

)

select * from final
