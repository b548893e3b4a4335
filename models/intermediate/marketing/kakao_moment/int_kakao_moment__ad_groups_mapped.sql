{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

ad_groups as (

    select * from {{ ref('stg_kakao_moment__ad_groups') }}

),

campaigns as (

    select * from {{ ref('stg_kakao_moment__campaigns') }}

),

performance as (

    select * from {{ ref('int_kakao_moment__ad_performance_mapped') }}

),

-- An ad group the performance rows name but the ad groups table lacks is kept (as
-- campaigns are), with its campaign from those rows; name and status unknown.
ad_groups_only_in_performance as (

    {{ argo.only_in_performance(
        'performance', 'ad_groups', 'ad_group_id', parent_columns=['campaign_id']
    ) }}

),

all_ad_groups as (

    {{ argo.union_inferred_members(
        'ad_groups',
        'ad_groups_only_in_performance',
        shared_columns=['source_relation', 'account_id', 'campaign_id', 'ad_group_id'],
        attributes={'ad_group_name': dbt.type_string(), 'status': dbt.type_string()},
    ) }}

),

-- Kakao sets the goal on the campaign (campaignTypeGoal) and optimises every ad group of
-- the campaign for it: that is the ad group's bidding goal.
mapped as (

    select
        'kakao_moment' as platform,
        all_ad_groups.source_relation,
        all_ad_groups.account_id,
        all_ad_groups.campaign_id,
        all_ad_groups.ad_group_id,
        all_ad_groups.ad_group_name,
        all_ad_groups.status,
        all_ad_groups.is_active,
        campaigns.campaign_goal as bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        all_ad_groups.is_inferred_from_performance

    from all_ad_groups
    left join campaigns
        on
            all_ad_groups.account_id = campaigns.account_id
            and all_ad_groups.campaign_id = campaigns.campaign_id

)

select * from mapped
