{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

ad_stats as (

    select * from {{ ref('stg_naver_searchad__ad_stats') }}

),

accounts as (

    select * from {{ ref('int_naver_searchad__ad_accounts_mapped') }}

),

-- Rows from a keyword (power link); shopping and brand-search rows have none. Summed over
-- ads, media and devices to the keyword-day.
keyword_days as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        is_cost_vat_included,
        max(source_relation) as source_relation,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        sum(reported_cost) as reported_cost

    from ad_stats
    where keyword_id is not null
    group by 1, 2, 3, 4, 5, 6

),

-- Spend before VAT as in int_naver_searchad__ad_performance_mapped, per keyword-day.
mapped as (

    select
        keyword_days.date_day,
        'naver_searchad' as platform,
        keyword_days.source_relation,
        keyword_days.account_id,
        keyword_days.campaign_id,
        keyword_days.ad_group_id,
        keyword_days.keyword_id,
        accounts.currency_code,
        keyword_days.impressions,
        keyword_days.clicks,
        {{ argo.naver_searchad_spend(
            'keyword_days.reported_cost', 'keyword_days.is_cost_vat_included'
        ) }} as spend

    from keyword_days
    left join accounts
        on keyword_days.account_id = accounts.account_id

)

select * from mapped
