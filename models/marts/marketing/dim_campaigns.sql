with

campaigns as (

    select * from {{ ref('int_campaigns_unioned') }}

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

final as (

    select
        campaigns.platform,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.objective,
        campaigns.status,
        campaigns.effective_status,
        campaigns.is_active,
        campaigns.currency_code,
        campaigns.daily_budget,
        campaigns.lifetime_budget,
        campaigns.created_at,
        campaigns.updated_at,
        campaigns.start_at,
        campaigns.stop_at,
        campaigns.is_inferred_from_performance,
        campaigns.source_relation,
        {{ argo.advertiser_columns('advertisers') }}

    from campaigns
    left join advertisers
        on
            campaigns.platform = advertisers.platform
            and campaigns.account_id = advertisers.account_id

)

select * from final
