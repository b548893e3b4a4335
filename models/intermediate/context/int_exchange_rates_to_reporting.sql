{%- set reporting = var('reporting_currency') | upper -%}

with

rates as (

    select * from {{ ref('int_exchange_rates_daily') }}

),

reporting_rates as (

    select
        date_day,
        krw_per_unit

    from rates
    where currency_code = '{{ reporting }}'

),

-- Rate from each currency into var('reporting_currency') on each day, through the won:
-- (won per unit of the currency) / (won per unit of the reporting currency). The
-- reporting currency itself converts at exactly 1, with or without published rates.
converted as (

    select
        rates.date_day,
        rates.currency_code,
        '{{ reporting }}' as reporting_currency_code,
        cast(rates.krw_per_unit / reporting_rates.krw_per_unit as decimal(24, 10))
            as exchange_rate,
        rates.rate_date,
        rates.is_carried_forward

    from rates
    inner join reporting_rates
        on rates.date_day = reporting_rates.date_day
    where rates.currency_code != '{{ reporting }}'

    union all

    select
        date_day,
        '{{ reporting }}' as currency_code,
        '{{ reporting }}' as reporting_currency_code,
        cast(1 as decimal(24, 10)) as exchange_rate,
        date_day as rate_date,
        false as is_carried_forward

    from {{ ref('int_calendar_days') }}

)

select * from converted
