{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

ad_stats as (

    select * from {{ ref('stg_naver_searchad__ad_stats') }}

),

accounts as (

    select * from {{ ref('int_naver_searchad__ad_accounts_mapped') }}

),

-- Naver's rows are per keyword, media and device: summed to the ad-day.
ad_days as (

    select
        date_day,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        is_cost_vat_included,
        max(source_relation) as source_relation,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        sum(reported_cost) as reported_cost

    from ad_stats
    group by 1, 2, 3, 4, 5, 6

),

-- ARGO's spend excludes VAT on every platform (DECISIONLOG.md, 16). Naver's cost
-- includes 10 % VAT for report days from var('naver_searchad__vat_included_from') and
-- excludes it before: from that day spend = cost / (1 + VAT rate), rounded to 0.0001 won
-- per ad-day; before it, cost is spend. spend_including_vat is what Naver charged.
mapped as (

    select
        ad_days.date_day,
        'naver_searchad' as platform,
        ad_days.source_relation,
        ad_days.account_id,
        ad_days.campaign_id,
        ad_days.ad_group_id,
        ad_days.ad_id,
        accounts.currency_code,
        ad_days.impressions,
        ad_days.clicks,
        {{ argo.naver_searchad_spend(
            'ad_days.reported_cost', 'ad_days.is_cost_vat_included'
        ) }} as spend,
        cast(null as {{ dbt.type_bigint() }}) as reach,
        cast(
            case
                when ad_days.is_cost_vat_included then ad_days.reported_cost
                else {{ argo.naver_searchad_including_vat('ad_days.reported_cost') }}
            end
            as {{ dbt.type_numeric() }}
        ) as spend_including_vat

    from ad_days
    left join accounts
        on ad_days.account_id = accounts.account_id

)

select * from mapped
