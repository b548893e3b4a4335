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
ad_sets_in_insights as (

    select
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        row_number() over (
            partition by account_id, ad_group_id
            order by date_day desc, loaded_at desc, ad_group_name asc
        ) as recency_rank

    from insights

),

all_ad_sets as (

    select
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        effective_status as status,
        is_active,
        optimization_goal as bidding_goal,
        created_at,
        false as is_inferred_from_performance

    from ad_sets

    union all

    select
        ad_sets_in_insights.source_relation,
        ad_sets_in_insights.account_id,
        ad_sets_in_insights.campaign_id,
        ad_sets_in_insights.ad_group_id,
        ad_sets_in_insights.ad_group_name,
        cast(null as {{ dbt.type_string() }}) as status,
        false as is_active,
        cast(null as {{ dbt.type_string() }}) as bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_from_performance

    from ad_sets_in_insights
    left join ad_sets
        on
            ad_sets_in_insights.account_id = ad_sets.account_id
            and ad_sets_in_insights.ad_group_id = ad_sets.ad_group_id
    where
        ad_sets_in_insights.recency_rank = 1
        and ad_sets.ad_group_id is null

),

mapped as (

    select
        'meta_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        status,
        is_active,
        bidding_goal,
        created_at,
        is_inferred_from_performance

    from all_ad_sets

)

select * from mapped
