{{ config(enabled=var('meta_ads__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_meta_ads__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_meta_ads__ad_accounts') }}

),

insights as (

    select * from {{ ref('stg_meta_ads__ads_insights') }}

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
-- insights: those campaigns are kept, named as the latest insights row names them, so
-- every performance row has its campaign.
campaigns_only_in_insights as (

    {{ argo.meta_ads_only_in_insights('insights', 'campaigns', 'campaign_id', 'campaign_name') }}

),

all_campaigns as (

    {{ argo.union_inferred_members(
        'campaigns',
        'campaigns_only_in_insights',
        shared_columns=['source_relation', 'account_id', 'campaign_id', 'campaign_name'],
        attributes={
            'objective': dbt.type_string(), 'status': dbt.type_string(),
            'effective_status': dbt.type_string(),
            'daily_budget_minor_units': dbt.type_bigint(),
            'lifetime_budget_minor_units': dbt.type_bigint(),
            'created_at': dbt.type_timestamp(), 'updated_at': dbt.type_timestamp(),
            'start_at': dbt.type_timestamp(), 'stop_at': dbt.type_timestamp(),
        },
    ) }}

),

mapped as (

    select
        'meta_ads' as platform,
        all_campaigns.source_relation,
        all_campaigns.account_id,
        all_campaigns.campaign_id,
        all_campaigns.campaign_name,
        all_campaigns.objective,
        all_campaigns.status,
        all_campaigns.effective_status,
        all_campaigns.is_active,
        account_currencies.currency_code,
        {{ argo.minor_to_major_units(
            'all_campaigns.daily_budget_minor_units',
            'account_currencies.minor_unit_digits'
        ) }} as daily_budget,
        {{ argo.minor_to_major_units(
            'all_campaigns.lifetime_budget_minor_units',
            'account_currencies.minor_unit_digits'
        ) }} as lifetime_budget,
        all_campaigns.created_at,
        all_campaigns.updated_at,
        all_campaigns.start_at,
        all_campaigns.stop_at,
        all_campaigns.is_inferred_from_performance

    from all_campaigns
    left join account_currencies
        on all_campaigns.account_id = account_currencies.account_id

)

select * from mapped
