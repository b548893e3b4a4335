with

ad_groups as (

    select * from {{ ref('int_ad_groups_unioned') }}

),

final as (

    select
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        status,
        is_active,
        bidding_goal,
        created_at,
        is_inferred_from_performance,
        source_relation

    from ad_groups

)

select * from final
