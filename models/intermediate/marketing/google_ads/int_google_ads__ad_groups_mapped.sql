{{ config(enabled=var('google_ads__enabled', true)) }}

with

ad_groups as (

    select * from {{ ref('stg_google_ads__ad_groups') }}

),

campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

),

mapped as (

    select
        'google_ads' as platform,
        ad_groups.source_relation,
        ad_groups.account_id,
        ad_groups.campaign_id,
        ad_groups.ad_group_id,
        ad_groups.ad_group_name,
        {{ argo.google_ads_status('ad_groups.ad_group_status') }} as status,
        coalesce(ad_groups.ad_group_status = 'ENABLED', false) as is_active,
        campaigns.bidding_strategy_type as bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at

    from ad_groups
    left join campaigns
        on
            ad_groups.account_id = campaigns.account_id
            and ad_groups.campaign_id = campaigns.campaign_id

)

select * from mapped
