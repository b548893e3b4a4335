{{ config(enabled=var('google_ads__enabled', true)) }}

with

keywords as (

    select * from {{ ref('stg_google_ads__keywords') }}

),

-- Negative keywords block searches; they never receive traffic, so they are not
-- keywords of the keyword report.
mapped as (

    select
        'google_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        keyword_text,
        match_type,
        {{ argo.google_ads_status('keyword_status') }} as status,
        coalesce(keyword_status = 'ENABLED', false) as is_active

    from keywords
    where not is_negative

)

select * from mapped
