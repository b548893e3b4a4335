{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

reports as (

    select * from {{ ref('stg_kakao_moment__creative_reports') }}

),

creatives as (

    select * from {{ ref('stg_kakao_moment__creatives') }}

),

accounts as (

    select * from {{ ref('stg_kakao_moment__ad_accounts') }}

),

-- Kakao's ads are creatives. The report names only the creative: its ad group and
-- campaign were added from the listings when the row was loaded; if that left them null,
-- the creatives listing (merged, so it keeps creatives listed by earlier runs) fills them.
joined as (

    select
        reports.date_day,
        reports.source_relation,
        reports.account_id,
        reports.ad_id,
        accounts.currency_code,
        reports.impressions,
        reports.clicks,
        reports.spend,
        reports.reach,
        coalesce(reports.campaign_id, creatives.campaign_id) as campaign_id,
        coalesce(reports.ad_group_id, creatives.ad_group_id) as ad_group_id

    from reports
    left join creatives
        on
            reports.account_id = creatives.account_id
            and reports.ad_id = creatives.ad_id
    left join accounts
        on reports.account_id = accounts.account_id

),

mapped as (

    select
        date_day,
        'kakao_moment' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        currency_code,
        impressions,
        clicks,
        spend,
        reach

    from joined

)

select * from mapped
