{{ config(enabled=var('meta_ads__enabled', true)) }}

with

ad_sets as (

    select * from {{ ref('stg_meta_ads__ad_sets') }}

),

-- Deleted ad sets leave the adsets edge but keep their delivery in the insights:
-- dim_ad_groups adds them (argo.inferred_members_sql).
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
        created_at

    from ad_sets

)

select * from mapped
