{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_naver_searchad__campaigns') }}

),

accounts as (

    select * from {{ ref('int_naver_searchad__ad_accounts_mapped') }}

),

-- A campaign the report rows name but the campaign listing lacks is added by
-- dim_campaigns (argo.inferred_members_sql).
-- The campaign type (WEB_SITE: power link, SHOPPING, BRAND_SEARCH, ...) is what the
-- campaign is for: ARGO's objective. Budgets are in won (no minor unit), VAT excluded as
-- Naver sets them; Naver campaigns have no lifetime budget, and the API fields ARGO
-- loads carry no flight dates.
mapped as (

    select
        'naver_searchad' as platform,
        campaigns.source_relation,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type as objective,
        campaigns.status,
        campaigns.naver_status as effective_status,
        campaigns.is_active,
        accounts.currency_code,
        campaigns.daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        campaigns.created_at,
        campaigns.updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as start_at,
        cast(null as {{ dbt.type_timestamp() }}) as stop_at

    from campaigns
    left join accounts
        on campaigns.account_id = accounts.account_id

)

select * from mapped
