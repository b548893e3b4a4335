{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

ad_groups as (

    select * from {{ ref('stg_naver_searchad__ad_groups') }}

),

performance as (

    select * from {{ ref('int_naver_searchad__ad_performance_mapped') }}

),

-- An ad group the report rows name but the listing lacks is kept (as campaigns are),
-- with its campaign from those rows; name and status unknown.
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
        attributes={
            'ad_group_name': dbt.type_string(), 'status': dbt.type_string(),
            'created_at': dbt.type_timestamp(),
        },
    ) }}

),

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
        created_at,
        is_inferred_from_performance

    from all_ad_groups

)

select * from mapped
