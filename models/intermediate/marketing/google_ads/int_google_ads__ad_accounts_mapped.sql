{{ config(enabled=var('google_ads__enabled', true)) }}

with

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

-- A manager account (MCC) buys no media: it is how a login reaches its clients.
mapped as (

    select
        'google_ads' as platform,
        source_relation,
        account_id,
        account_name,
        currency_code,
        timezone_name,
        account_status,
        is_active

    from customers
    where not is_manager

)

select * from mapped
