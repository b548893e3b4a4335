-- Each currency's newest rate to the reporting currency: what a plan dated after the
-- last published rate (a budget for the coming months) converts at.
with

exchange_rates as (

    select * from {{ ref('int_exchange_rates_to_reporting') }}

),

newest_days as (

    select
        currency_code,
        max(date_day) as date_day

    from exchange_rates
    group by 1

),

final as (

    select exchange_rates.*

    from exchange_rates
    inner join newest_days
        on
            exchange_rates.currency_code = newest_days.currency_code
            and exchange_rates.date_day = newest_days.date_day

)

select * from final
