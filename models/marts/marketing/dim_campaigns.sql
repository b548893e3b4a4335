with

listed as (

    select * from {{ ref('int_campaigns_unioned') }}

),

entity_months as (

    select * from {{ ref('int_marketing__performance_entity_months') }}

),

accounts as (

    select * from {{ ref('int_ad_accounts_unioned') }}

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

-- Campaigns the performance rows name but their platform's listing lacks (Kimball's
-- inferred members): name as the rows have it (Meta's insights), the rest unknown.
inferred as (

    {{ argo.inferred_members_sql(
        'entity_months', 'listed', 'campaign', 'campaign_id', 'campaign_name'
    ) }}

),

campaigns as (

    select
        platform,
        source_relation,
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
        false as is_inferred_from_performance

    from listed

    union all

    select
        inferred.platform,
        inferred.source_relation,
        inferred.account_id,
        inferred.campaign_id,
        inferred.campaign_name,
        cast(null as {{ dbt.type_string() }}) as objective,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_string() }}) as effective_status,
        false as is_active,
        accounts.currency_code,
        cast(null as {{ dbt.type_numeric() }}) as daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as start_at,
        cast(null as {{ dbt.type_timestamp() }}) as stop_at,
        true as is_inferred_from_performance

    from inferred
    left join accounts
        on
            inferred.platform = accounts.platform
            and inferred.account_id = accounts.account_id

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
