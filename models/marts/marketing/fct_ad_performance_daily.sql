with

ad_performance as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

final as (

    select
        date_day,
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        impressions,
        clicks,
        spend,
        reach,
        conversions,
        conversions_value,
        source_relation

    from ad_performance

)

select * from final
