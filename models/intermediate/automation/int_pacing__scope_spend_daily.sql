{#
    The spend of every budget scope on every day the warehouse has, from the first
    `date_day` of rpt_campaign_performance_daily to its newest (the as-of day), zero on a
    day the scope spent nothing. A platform budget (account_id and campaign_id null) takes
    all the advertiser's campaigns on its platform; an account budget only that account's;
    a campaign budget only that campaign.
#}
with

scopes as (

    select distinct
        scope_key,
        advertiser_id,
        platform,
        account_id,
        campaign_id

    from {{ ref('int_pacing__budget_versions') }}

),

performance as (

    select * from {{ ref('rpt_campaign_performance_daily') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

data_days as (

    select
        min(date_day) as first_day,
        max(date_day) as as_of_day

    from performance

),

days as (

    select
        dates.date_day,
        dates.day_of_week,
        coalesce(dates.is_holiday, false) as is_holiday

    from dates
    inner join data_days
        on dates.date_day between data_days.first_day and data_days.as_of_day

),

scope_spend as (

    select
        scopes.scope_key,
        performance.date_day,
        sum(performance.spend_in_reporting_currency) as spend_in_reporting_currency

    from scopes
    inner join performance
        on
            scopes.advertiser_id = performance.advertiser_id
            and scopes.platform = performance.platform
            and (scopes.account_id is null or scopes.account_id = performance.account_id)
            and (scopes.campaign_id is null or scopes.campaign_id = performance.campaign_id)
    group by 1, 2

),

final as (

    select
        scopes.scope_key,
        days.date_day,
        days.day_of_week,
        days.is_holiday,
        cast(coalesce(scope_spend.spend_in_reporting_currency, 0) as {{ dbt.type_numeric() }})
            as spend_in_reporting_currency

    from scopes
    cross join days
    left join scope_spend
        on
            scopes.scope_key = scope_spend.scope_key
            and days.date_day = scope_spend.date_day

)

select * from final
