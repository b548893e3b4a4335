{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

ads as (

    select * from {{ ref('stg_naver_searchad__ads') }}

),

ad_groups as (

    select * from {{ ref('stg_naver_searchad__ad_groups') }}

),

-- Naver's ads have no name: the headline is what the advertiser recognises them by. An
-- ad names only its ad group; the campaign comes from the ad group.
mapped as (

    select
        'naver_searchad' as platform,
        ads.source_relation,
        ads.account_id,
        ad_groups.campaign_id,
        ads.ad_group_id,
        ads.ad_id,
        ads.headline as ad_name,
        ads.ad_type,
        ads.status,
        ads.naver_status as effective_status,
        ads.is_active,
        ads.created_at,
        coalesce(ads.pc_final_url, ads.mobile_final_url) as landing_url

    from ads
    left join ad_groups
        on
            ads.account_id = ad_groups.account_id
            and ads.ad_group_id = ad_groups.ad_group_id

)

select * from mapped
