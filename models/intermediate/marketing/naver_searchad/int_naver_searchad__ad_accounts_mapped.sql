{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_naver_searchad__campaigns') }}

),

ad_stats as (

    select * from {{ ref('stg_naver_searchad__ad_stats') }}

),

-- The Search Ad API has no account object ARGO can read for every license: a customer is
-- known by its id (X-Customer), from what was loaded for it. Naver bills in won and
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
        source_relation,
        account_id,
        cast(null as {{ dbt.type_string() }}) as account_name,
        'KRW' as currency_code,
        'Asia/Seoul' as timezone_name,
        'ACTIVE' as account_status,
        true as is_active

    from customers

)

select * from mapped
