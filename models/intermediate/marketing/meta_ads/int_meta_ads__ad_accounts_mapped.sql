{{ config(enabled=var('meta_ads__enabled', true)) }}

with

accounts as (

    select * from {{ ref('stg_meta_ads__ad_accounts') }}

),

mapped as (

    select
        'meta_ads' as platform,
        source_relation,
        account_id,
        account_name,
        currency_code,
        timezone_name,
        account_status,
        is_active

    from accounts

)

select * from mapped
