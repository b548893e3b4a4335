{{ config(**argo.incremental_mart_config(
    unique_key=['date_day', 'platform', 'account_id', 'ad_group_id']
)) }}

with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}
    where {{ argo.in_lookback_window() }}

),

ad_groups as (

    select * from {{ ref('dim_ad_groups') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

ad_group_days as (

    -- Same types as the fact (sums widen them on DuckDB); reach is left out, as in
    -- rpt_campaign_performance_daily.
    select
        date_day,
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        currency_code,
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value,
        reporting_currency_code,
        cast(sum(spend_in_reporting_currency) as {{ dbt.type_numeric() }})
            as spend_in_reporting_currency,
        cast(sum(conversions_value_in_reporting_currency) as {{ dbt.type_numeric() }})
            as conversions_value_in_reporting_currency,
        advertiser_id,
        advertiser_name

    from ad_performance
    group by 1, 2, 3, 4, 5, 6, 12, 15, 16

),

final as (

    select
        ad_group_days.date_day,
        ad_group_days.platform,
        ad_group_days.account_id,
        ad_group_days.campaign_id,
        campaigns.campaign_name,
        ad_group_days.ad_group_id,
        ad_groups.ad_group_name,
        ad_group_days.currency_code,
        ad_group_days.spend,
        ad_group_days.impressions,
        ad_group_days.clicks,
        ad_group_days.conversions,
        ad_group_days.conversions_value,
        ad_group_days.reporting_currency_code,
        ad_group_days.spend_in_reporting_currency,
        ad_group_days.conversions_value_in_reporting_currency,
        {{ argo.safe_divide('ad_group_days.clicks', 'ad_group_days.impressions') }} as ctr,
        {{ argo.safe_divide('ad_group_days.spend', 'ad_group_days.clicks') }} as cpc,
        {{ argo.safe_divide('ad_group_days.spend * 1000', 'ad_group_days.impressions') }} as cpm,
        {{ argo.safe_divide('ad_group_days.spend', 'ad_group_days.conversions') }} as cpa,
        {{ argo.safe_divide('ad_group_days.conversions_value', 'ad_group_days.spend') }} as roas,
        {{ argo.advertiser_columns('ad_group_days') }}

    from ad_group_days
    left join campaigns
        on
            ad_group_days.platform = campaigns.platform
            and ad_group_days.account_id = campaigns.account_id
            and ad_group_days.campaign_id = campaigns.campaign_id
    left join ad_groups
        on
            ad_group_days.platform = ad_groups.platform
            and ad_group_days.account_id = ad_groups.account_id
            and ad_group_days.ad_group_id = ad_groups.ad_group_id

)

select * from final
