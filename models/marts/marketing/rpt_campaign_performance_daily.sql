with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

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
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value

    from ad_performance
    group by 1, 2, 3, 4, 5

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
        {{ argo.safe_divide('campaign_days.conversions_value', 'campaign_days.spend') }} as roas

    from campaign_days
    left join campaigns
        on
            campaign_days.platform = campaigns.platform
            and campaign_days.account_id = campaigns.account_id
            and campaign_days.campaign_id = campaigns.campaign_id

)

select * from final
