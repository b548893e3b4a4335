-- Two budgets of one scope (advertiser, platform, account, campaign, budget type) never
-- cover the same day with different periods: a change to a budget is a new version of
-- the same period (same start_date, later valid_from), never a second, overlapping
-- period, which would count the days twice. Fails with each overlapping pair.
with

budgets as (

    select * from {{ ref('stg_google_sheets__budgets') }}

),

overlapping as (

    select
        earlier.advertiser_id,
        earlier.platform,
        earlier.account_id,
        earlier.campaign_id,
        earlier.budget_type,
        earlier.start_date,
        earlier.end_date,
        earlier.valid_from,
        earlier.sheet_row,
        later.start_date as overlapping_start_date,
        later.end_date as overlapping_end_date,
        later.valid_from as overlapping_valid_from,
        later.sheet_row as overlapping_sheet_row

    from budgets as earlier
    inner join budgets as later
        on
            earlier.advertiser_id = later.advertiser_id
            and earlier.platform = later.platform
            and coalesce(earlier.account_id, '') = coalesce(later.account_id, '')
            and coalesce(earlier.campaign_id, '') = coalesce(later.campaign_id, '')
            and earlier.budget_type = later.budget_type
            and (
                earlier.start_date < later.start_date
                or (earlier.start_date = later.start_date and earlier.end_date != later.end_date)
            )
            and earlier.end_date >= later.start_date

)

select * from overlapping
