with

ads as (

    select * from {{ ref('int_ads_unioned') }}

),

final as (

    select
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        ad_name,
        ad_type,
        status,
        effective_status,
        is_active,
        created_at,
        source_relation,
        landing_url

    from ads

)

select * from final
