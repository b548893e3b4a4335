{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'platform', 'account_id', 'keyword_id']
)) }}

with

keyword_performance as (

    select * from {{ ref('int_keyword_performance_unioned') }}
    where {{ argo.in_lookback_window() }}

),

keywords as (

    select * from {{ ref('dim_keywords') }}

),

ad_groups as (

    select * from {{ ref('dim_ad_groups') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

final as (

    select
        keyword_performance.date_day,
        keyword_performance.platform,
        keyword_performance.account_id,
        keyword_performance.campaign_id,
        campaigns.campaign_name,
        keyword_performance.ad_group_id,
        ad_groups.ad_group_name,
        keyword_performance.keyword_id,
        keywords.keyword_text,
        keywords.match_type,
        keyword_performance.currency_code,
        keyword_performance.spend,
        keyword_performance.impressions,
        keyword_performance.clicks,
        keyword_performance.conversions,
        keyword_performance.conversions_value,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        exchange_rates.exchange_rate,
        {{ argo.in_reporting_currency(
            'keyword_performance.spend', 'exchange_rates.exchange_rate'
        ) }} as spend_in_reporting_currency,
        {{ argo.in_reporting_currency(
            'keyword_performance.conversions_value', 'exchange_rates.exchange_rate'
        ) }} as conversions_value_in_reporting_currency,
        {{ argo.safe_divide('keyword_performance.clicks', 'keyword_performance.impressions') }}
            as ctr,
        {{ argo.safe_divide('keyword_performance.spend', 'keyword_performance.clicks') }} as cpc,
        {{ argo.safe_divide('keyword_performance.spend', 'keyword_performance.conversions') }}
            as cpa,
        {{ argo.safe_divide('keyword_performance.conversions_value', 'keyword_performance.spend') }}
            as roas,
        {{ argo.advertiser_columns('advertisers') }}

    from keyword_performance
    left join campaigns
        on
            keyword_performance.platform = campaigns.platform
            and keyword_performance.account_id = campaigns.account_id
            and keyword_performance.campaign_id = campaigns.campaign_id
    left join ad_groups
        on
            keyword_performance.platform = ad_groups.platform
            and keyword_performance.account_id = ad_groups.account_id
            and keyword_performance.ad_group_id = ad_groups.ad_group_id
    left join keywords
        on
            keyword_performance.platform = keywords.platform
            and keyword_performance.account_id = keywords.account_id
            and keyword_performance.keyword_id = keywords.keyword_id
    left join exchange_rates
        on
            keyword_performance.date_day = exchange_rates.date_day
            and keyword_performance.currency_code = exchange_rates.currency_code
    left join advertisers
        on
            keyword_performance.platform = advertisers.platform
            and keyword_performance.account_id = advertisers.account_id

)

select * from final
