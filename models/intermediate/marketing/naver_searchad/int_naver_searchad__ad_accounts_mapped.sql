{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_naver_searchad__campaigns') }}

),

ad_stats as (

    select * from {{ ref('stg_naver_searchad__ad_stats') }}

),

ad_accounts as (

    select * from {{ ref('stg_naver_searchad__ad_accounts') }}

),

-- A customer is known by its id (X-Customer), from what was loaded for it; its name comes
-- from Naver's account list (GET /ad-accounts), which a license may not list every
-- customer in: a customer missing there keeps a null name. Naver bills in won and
-- reports Korean days, so every customer is KRW and Asia/Seoul; a customer loaded at all
-- is one the license may act for, hence active.
customers as (

    select
        account_id,
        min(source_relation) as source_relation

    from (
        select
            account_id,
            source_relation
        from campaigns

        union all

        select
            account_id,
            source_relation
        from ad_stats
    ) as loaded
    group by 1

),

mapped as (

    select
        'naver_searchad' as platform,
        customers.source_relation,
        customers.account_id,
        ad_accounts.account_name,
        'KRW' as currency_code,
        'Asia/Seoul' as timezone_name,
        'ACTIVE' as account_status,
        true as is_active

    from customers
    left join ad_accounts
        on customers.account_id = ad_accounts.account_id

)

select * from mapped
