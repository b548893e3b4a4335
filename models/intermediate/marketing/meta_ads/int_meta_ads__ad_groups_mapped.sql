{{ config(enabled=var('meta_ads__enabled', true)) }}

with

ad_sets as (

    select * from {{ ref('stg_meta_ads__ad_sets') }}

),

insights as (

    select * from {{ ref('stg_meta_ads__ads_insights') }}

),

-- Deleted ad sets leave the adsets edge but keep their delivery in the insights: they
-- are kept, named as their latest insights row names them (as campaigns are).
ad_sets_only_in_insights as (

    {{ argo.meta_ads_only_in_insights(
        'insights', 'ad_sets', 'ad_group_id', 'ad_group_name', parent_columns=['campaign_id']
    ) }}

),

all_ad_sets as (

    {{ argo.union_inferred_members(
        'ad_sets',
        'ad_sets_only_in_insights',
        shared_columns=[
            'source_relation', 'account_id', 'campaign_id', 'ad_group_id', 'ad_group_name',
        ],
        attributes={
            'effective_status': dbt.type_string(), 'optimization_goal': dbt.type_string(),
            'created_at': dbt.type_timestamp(),
        },
    ) }}

),

mapped as (

    select
        'meta_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        effective_status as status,
        is_active,
        optimization_goal as bidding_goal,
        created_at,
        is_inferred_from_performance

    from all_ad_sets

)

select * from mapped
