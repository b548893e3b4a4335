with

budgets as (

    select * from {{ ref('stg_google_sheets__budgets') }}

),

advertisers as (

    select * from {{ ref('stg_google_sheets__advertisers') }}

),

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

-- A currency's newest rate: a version valid from a day after it (a budget planned for
-- the coming months) converts at the newest rate known.
newest_rates as (

    select * from {{ ref('int_exchange_rates_newest') }}

),

-- A version of a budget applies until the next version of the same scope and period.
versioned as (

    select
        *,
        lead(valid_from) over (
            partition by
                advertiser_id, platform, account_id, campaign_id, budget_type, start_date
            order by valid_from
        ) as next_valid_from

    from budgets

),

final as (

    select
        versioned.advertiser_id,
        advertisers.advertiser_name,
        versioned.platform,
        versioned.account_id,
        versioned.campaign_id,
        versioned.budget_type,
        versioned.start_date,
        versioned.end_date,
        versioned.valid_from,
        coalesce(
            cast({{ dbt.dateadd('day', -1, 'versioned.next_valid_from') }} as date),
            versioned.end_date
        ) as valid_to,
        versioned.next_valid_from is null as is_current_version,
        versioned.amount,
        versioned.currency_code,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        coalesce(rate_on_valid_from.exchange_rate, newest_rates.exchange_rate) as exchange_rate,
        coalesce(rate_on_valid_from.date_day, newest_rates.date_day) as exchange_rate_date,
        {{ argo.in_reporting_currency(
            'versioned.amount',
            'coalesce(rate_on_valid_from.exchange_rate, newest_rates.exchange_rate)'
        ) }} as amount_in_reporting_currency,
        versioned.source_relation,
        versioned.sheet_row

    from versioned
    left join advertisers
        on versioned.advertiser_id = advertisers.advertiser_id
    left join exchange_rates as rate_on_valid_from
        on
            versioned.valid_from = rate_on_valid_from.date_day
            and versioned.currency_code = rate_on_valid_from.currency_code
    left join newest_rates
        on
            versioned.currency_code = newest_rates.currency_code
            and versioned.valid_from > newest_rates.date_day

)

select * from final
