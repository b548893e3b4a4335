{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

accounts as (

    select * from {{ ref('stg_kakao_moment__ad_accounts') }}

),

mapped as (

    select
        'kakao_moment' as platform,
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
