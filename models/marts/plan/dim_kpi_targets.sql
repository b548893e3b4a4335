with

targets as (

    select * from {{ ref('stg_google_sheets__targets') }}

),

advertisers as (

    select * from {{ ref('stg_google_sheets__advertisers') }}

),

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

-- As in fct_budgets: a target valid from after a currency's newest rate converts at it.
newest_rates as (

    select * from {{ ref('int_exchange_rates_newest') }}

),

-- A target applies until the next version of the same scope and KPI; the newest is
-- open-ended (valid_to null).
versioned as (

    select
        *,
        lead(valid_from) over (
            partition by advertiser_id, platform, campaign_id, kpi
            order by valid_from
        ) as next_valid_from

    from targets

),

final as (

    select
        versioned.advertiser_id,
        advertisers.advertiser_name,
        versioned.platform,
        versioned.campaign_id,
        versioned.kpi,
        versioned.target_value,
        versioned.currency_code,
        '{{ var("reporting_currency") | upper }}' as reporting_currency_code,
        -- Money targets (CPA, CPI) only; ratios have no currency.
        case
            when versioned.kpi in ('cpa', 'cpi')
                then {{ argo.in_reporting_currency(
                    'versioned.target_value',
                    'coalesce(rate_on_valid_from.exchange_rate, newest_rates.exchange_rate)'
                ) }}
        end as target_value_in_reporting_currency,
        versioned.valid_from,
        cast({{ dbt.dateadd('day', -1, 'versioned.next_valid_from') }} as date) as valid_to,
        versioned.next_valid_from is null as is_current_version,
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
