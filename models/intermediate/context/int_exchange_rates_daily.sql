{%- set providers = var('exchange_rates__providers') -%}
{%- set max_days = var('exchange_rates__max_carry_forward_days') -%}

with

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

published as (

    {% if var('exchange_rates__enabled', true) -%}
        select
            data_provider,
            rate_date,
            currency_code,
            rate_per_unit

        from {{ ref('stg_exchange_rates__exchange_rates') }}
        where base_currency = 'KRW'
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as data_provider,
            cast(null as date) as rate_date,
            cast(null as {{ dbt.type_string() }}) as currency_code,
            cast(null as decimal(24, 10)) as rate_per_unit
        where 1 = 0
    {%- endif %}

),

-- One rate per day and currency: the first provider of var('exchange_rates__providers')
-- that published one (a provider not listed comes last).
ranked as (

    select
        *,
        row_number() over (
            partition by rate_date, currency_code
            order by {{ argo.provider_preference(providers) }}, data_provider
        ) as provider_rank

    from published

),

chosen as (

    select * from ranked
    where provider_rank = 1

),

-- A day without a publication (weekend, holiday, today before publication) takes the
-- newest rate at most var('exchange_rates__max_carry_forward_days') days old.
candidates as (

    select
        calendar.date_day,
        chosen.currency_code,
        chosen.rate_per_unit,
        chosen.rate_date,
        chosen.data_provider,
        row_number() over (
            partition by calendar.date_day, chosen.currency_code
            order by chosen.rate_date desc
        ) as recency

    from calendar
    inner join chosen
        on
            calendar.date_day >= chosen.rate_date
            and chosen.rate_date >= {{ dbt.dateadd('day', -max_days, 'calendar.date_day') }}

),

foreign_rates as (

    select
        date_day,
        currency_code,
        cast(rate_per_unit as decimal(24, 10)) as krw_per_unit,
        rate_date,
        data_provider,
        rate_date < date_day as is_carried_forward

    from candidates
    where recency = 1 and currency_code != 'KRW'

),

won as (

    select
        date_day,
        'KRW' as currency_code,
        cast(1 as decimal(24, 10)) as krw_per_unit,
        date_day as rate_date,
        'identity' as data_provider,
        false as is_carried_forward

    from calendar

),

final as (

    select * from foreign_rates
    union all
    select * from won

)

select * from final
