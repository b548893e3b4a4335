{#
    What the digest reports as "no budget in the plan": each day, advertiser and platform
    with spend in rpt_campaign_performance_daily but no budget of fct_budgets (of any
    scope on that platform: platform, account or campaign) whose period covers the day.
    Such spend has no row in fct_budget_pacing_daily. Unmapped accounts (advertiser
    `unassigned`, `is_in_plan` false) are listed too: their spend has no budget either.
#}
with

performance as (

    select * from {{ ref('rpt_campaign_performance_daily') }}

),

budgets as (

    select * from {{ ref('fct_budgets') }}

),

advertisers as (

    select * from {{ ref('dim_advertisers') }}

),

spend as (

    select
        date_day,
        advertiser_id,
        platform,
        count(distinct account_id) as account_count,
        count(distinct campaign_id) as campaign_count,
        sum(spend_in_reporting_currency) as spend_in_reporting_currency

    from performance
    group by 1, 2, 3
    having sum(spend_in_reporting_currency) > 0

),

covered as (

    select distinct
        spend.date_day,
        spend.advertiser_id,
        spend.platform

    from spend
    inner join budgets
        on
            spend.advertiser_id = budgets.advertiser_id
            and spend.platform = budgets.platform
            and spend.date_day between budgets.start_date and budgets.end_date

),

final as (

    select
        spend.date_day,
        spend.advertiser_id,
        coalesce(advertisers.advertiser_name, spend.advertiser_id) as advertiser_name,
        advertisers.ae_name,
        advertisers.ae_email,
        coalesce(advertisers.is_in_plan, false) as is_in_plan,
        spend.platform,
        spend.account_count,
        spend.campaign_count,
        cast(spend.spend_in_reporting_currency as {{ dbt.type_numeric() }})
            as spend_in_reporting_currency,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code

    from spend
    left join covered
        on
            spend.date_day = covered.date_day
            and spend.advertiser_id = covered.advertiser_id
            and spend.platform = covered.platform
    left join advertisers
        on spend.advertiser_id = advertisers.advertiser_id
    where covered.date_day is null

)

select * from final
