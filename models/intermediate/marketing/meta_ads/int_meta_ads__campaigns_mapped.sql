{{ config(enabled=var('meta_ads__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_meta_ads__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_meta_ads__ad_accounts') }}

),

currency_codes as (

    select * from {{ ref('currency_codes') }}

),

meta_minor_units as (

    select * from {{ ref('currency_minor_unit_overrides') }}
    where platform = 'meta_ads'

),

-- Meta states budgets in minor units with its own offsets, which differ from ISO 4217
-- for a few currencies (seed currency_minor_unit_overrides).
account_currencies as (

    select
        accounts.account_id,
        accounts.currency_code,
        coalesce(
            meta_minor_units.minor_unit_digits,
            currency_codes.minor_unit_digits
        ) as minor_unit_digits

    from accounts
    left join currency_codes
        on accounts.currency_code = currency_codes.currency_code
    left join meta_minor_units
        on accounts.currency_code = meta_minor_units.currency_code

),

-- Meta's campaigns edge leaves deleted campaigns out, but their delivery stays in the
-- insights: dim_campaigns adds those campaigns (argo.inferred_members_sql).
mapped as (

    select
        'meta_ads' as platform,
        campaigns.source_relation,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.objective,
        campaigns.status,
        campaigns.effective_status,
        campaigns.is_active,
        account_currencies.currency_code,
        {{ argo.minor_to_major_units(
            'campaigns.daily_budget_minor_units',
            'account_currencies.minor_unit_digits'
        ) }} as daily_budget,
        {{ argo.minor_to_major_units(
            'campaigns.lifetime_budget_minor_units',
            'account_currencies.minor_unit_digits'
        ) }} as lifetime_budget,
        campaigns.created_at,
        campaigns.updated_at,
        campaigns.start_at,
        campaigns.stop_at

    from campaigns
    left join account_currencies
        on campaigns.account_id = account_currencies.account_id

)

select * from mapped
