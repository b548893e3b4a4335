with

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

final as (

    select
        platform,
        account_id,
        campaign_id,
        campaign_name,
        objective,
        status,
        effective_status,
        is_active,
        currency_code,
        daily_budget,
        lifetime_budget,
        created_at,
        updated_at,
        start_at,
        stop_at,
        is_inferred_from_performance,
        source_relation

    from campaigns

)

select * from final
