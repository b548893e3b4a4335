{{ config(enabled=var('naver_searchad__enabled', true)) }}

-- Every Naver Search Ad account of the marts carries the name Naver's account list
-- (GET /ad-accounts) gave it. Returns the accounts whose name is missing or differs.

with

listed as (

    select
        account_id,
        account_name
    from {{ ref('stg_naver_searchad__ad_accounts') }}
    where account_name is not null

),

accounts as (

    select
        account_id,
        account_name
    from {{ ref('dim_ad_accounts') }}
    where platform = 'naver_searchad'

)

select
    accounts.account_id,
    accounts.account_name,
    listed.account_name as listed_name
from accounts
inner join listed
    on accounts.account_id = listed.account_id
where
    accounts.account_name is null
    or accounts.account_name != listed.account_name
