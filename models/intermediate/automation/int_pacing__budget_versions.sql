{#
    fct_budgets' versions with the keys pacing works by: `scope_key` (the spend a budget
    covers: advertiser, platform, account, campaign) and `budget_id` (scope, budget type
    and period start: one budget, all its versions). `effective_from` is the first day a
    version paces: its `valid_from`, but the period's first day for the earliest version
    (a budget entered a few days into its period paces from the period's start).
#}
with

budgets as (

    select * from {{ ref('fct_budgets') }}

),

keyed as (

    select
        *,
        advertiser_id
        || '|' || platform
        || '|' || coalesce(account_id, '')
        || '|' || coalesce(campaign_id, '') as scope_key,
        min(valid_from) over (
            partition by
                advertiser_id, platform, account_id, campaign_id, budget_type, start_date
        ) as first_valid_from

    from budgets

),

final as (

    select
        scope_key
        || '|' || budget_type
        || '|' || cast(start_date as {{ dbt.type_string() }}) as budget_id,
        scope_key,
        advertiser_id,
        advertiser_name,
        platform,
        account_id,
        campaign_id,
        budget_type,
        start_date as period_start,
        end_date as period_end,
        valid_from,
        valid_to,
        case when valid_from = first_valid_from then start_date else valid_from end
            as effective_from,
        is_current_version,
        amount,
        currency_code,
        amount_in_reporting_currency,
        reporting_currency_code

    from keyed

)

select * from final
