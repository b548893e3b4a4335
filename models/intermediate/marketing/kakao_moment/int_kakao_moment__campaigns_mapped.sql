{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_kakao_moment__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_kakao_moment__ad_accounts') }}

),

performance as (

    select * from {{ ref('int_kakao_moment__ad_performance_mapped') }}

),

-- A campaign the performance rows name but the campaigns table lacks (it was never listed
-- as ON or OFF) is kept, so every performance row has its campaign. Kakao's report has no
-- names: its name, status, objective and budget are unknown.
campaigns_only_in_performance as (

    {{ argo.only_in_performance('performance', 'campaigns', 'campaign_id') }}

),

all_campaigns as (

    {{ argo.union_inferred_members(
        'campaigns',
        'campaigns_only_in_performance',
        shared_columns=['source_relation', 'account_id', 'campaign_id'],
        attributes={
            'campaign_name': dbt.type_string(), 'objective': dbt.type_string(),
            'status': dbt.type_string(), 'effective_status': dbt.type_string(),
            'daily_budget': dbt.type_numeric(),
        },
    ) }}

),

-- Kakao's budgets are in won, which has no minor unit: no conversion is needed. Kakao
-- campaigns have no lifetime budget, and the API fields ARGO loads carry no dates.
mapped as (

    select
        'kakao_moment' as platform,
        all_campaigns.source_relation,
        all_campaigns.account_id,
        all_campaigns.campaign_id,
        all_campaigns.campaign_name,
        all_campaigns.objective,
        all_campaigns.status,
        all_campaigns.effective_status,
        all_campaigns.is_active,
        accounts.currency_code,
        all_campaigns.daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as start_at,
        cast(null as {{ dbt.type_timestamp() }}) as stop_at,
        all_campaigns.is_inferred_from_performance

    from all_campaigns
    left join accounts
        on all_campaigns.account_id = accounts.account_id

)

select * from mapped
