{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

ad_groups as (

    select * from {{ ref('stg_naver_searchad__ad_groups') }}

),

-- An ad group the report rows name but the listing lacks is added by dim_ad_groups
-- (argo.inferred_members_sql).
-- Naver's ad groups bid a fixed amount per click (bidAmt) with no bidding strategy in
-- the fields ARGO loads: bidding_goal is null.
mapped as (

    select
        'naver_searchad' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        status,
        is_active,
        cast(null as {{ dbt.type_string() }}) as bidding_goal,
        created_at

    from ad_groups

)

select * from mapped
