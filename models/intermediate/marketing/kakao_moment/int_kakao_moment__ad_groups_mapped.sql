{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

ad_groups as (

    select * from {{ ref('stg_kakao_moment__ad_groups') }}

),

campaigns as (

    select * from {{ ref('stg_kakao_moment__campaigns') }}

),

-- An ad group the performance rows name but the ad groups table lacks is added by
-- dim_ad_groups (argo.inferred_members_sql).
-- Kakao sets the goal on the campaign (campaignTypeGoal) and optimises every ad group of
-- the campaign for it: that is the ad group's bidding goal.
mapped as (

    select
        'kakao_moment' as platform,
        ad_groups.source_relation,
        ad_groups.account_id,
        ad_groups.campaign_id,
        ad_groups.ad_group_id,
        ad_groups.ad_group_name,
        ad_groups.status,
        ad_groups.is_active,
        campaigns.campaign_goal as bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at

    from ad_groups
    left join campaigns
        on
            ad_groups.account_id = campaigns.account_id
            and ad_groups.campaign_id = campaigns.campaign_id

)

select * from mapped
