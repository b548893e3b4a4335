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
        false as is_inferred_from_performance

    from ad_groups

    union all

    select
        'naver_searchad' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        cast(null as {{ dbt.type_string() }}) as ad_group_name,
        cast(null as {{ dbt.type_string() }}) as status,
        false as is_active,
        cast(null as {{ dbt.type_string() }}) as bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_from_performance

    from ad_groups_only_in_performance

)

select * from mapped
