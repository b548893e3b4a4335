{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_kakao_moment__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_kakao_moment__ad_accounts') }}

),

-- A campaign the performance rows name but the campaigns table lacks (it was never listed
-- as ON or OFF) is added by dim_campaigns (argo.inferred_members_sql).
-- Kakao's budgets are in won, which has no minor unit: no conversion is needed. Kakao
-- campaigns have no lifetime budget, and the API fields ARGO loads carry no dates.
mapped as (

    select
        'kakao_moment' as platform,
        campaigns.source_relation,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.objective,
        campaigns.status,
        campaigns.effective_status,
        campaigns.is_active,
        accounts.currency_code,
        campaigns.daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as start_at,
        cast(null as {{ dbt.type_timestamp() }}) as stop_at

    from campaigns
    left join accounts
        on campaigns.account_id = accounts.account_id

)

select * from mapped
