{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_naver_searchad__campaigns') }}

),

accounts as (

    select * from {{ ref('int_naver_searchad__ad_accounts_mapped') }}

),

performance as (

    select * from {{ ref('int_naver_searchad__ad_performance_mapped') }}

),

-- A campaign the report rows name but the campaign listing lacks is kept, so every
-- performance row has its campaign; its name, type, status and budget are unknown.
campaigns_only_in_performance as (

    {{ argo.only_in_performance('performance', 'campaigns', 'campaign_id') }}

),

all_campaigns as (

    {{ argo.union_inferred_members(
        'campaigns',
        'campaigns_only_in_performance',
        shared_columns=['source_relation', 'account_id', 'campaign_id'],
        attributes={
            'campaign_name': dbt.type_string(), 'campaign_type': dbt.type_string(),
            'status': dbt.type_string(), 'naver_status': dbt.type_string(),
            'daily_budget': dbt.type_numeric(),
            'created_at': dbt.type_timestamp(), 'updated_at': dbt.type_timestamp(),
        },
    ) }}

),

-- The campaign type (WEB_SITE: power link, SHOPPING, BRAND_SEARCH, ...) is what the
-- campaign is for: ARGO's objective. Budgets are in won (no minor unit), VAT excluded as
-- Naver sets them; Naver campaigns have no lifetime budget, and the API fields ARGO
-- loads carry no flight dates.
mapped as (

    select
        'naver_searchad' as platform,
        all_campaigns.source_relation,
        all_campaigns.account_id,
        all_campaigns.campaign_id,
        all_campaigns.campaign_name,
        all_campaigns.campaign_type as objective,
        all_campaigns.status,
        all_campaigns.naver_status as effective_status,
        all_campaigns.is_active,
        accounts.currency_code,
        all_campaigns.daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        all_campaigns.created_at,
        all_campaigns.updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as start_at,
        cast(null as {{ dbt.type_timestamp() }}) as stop_at,
        all_campaigns.is_inferred_from_performance

    from all_campaigns
    left join accounts
        on all_campaigns.account_id = accounts.account_id

)

select * from mapped
