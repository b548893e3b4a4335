{{ config(enabled=var('google_ads__enabled', true)) }}

with

ads as (

    select * from {{ ref('stg_google_ads__ads') }}

),

mapped as (

    select
        'google_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        ad_name,
        ad_type,
        {{ argo.google_ads_status('ad_status') }} as status,
        ad_status as effective_status,
        coalesce(ad_status = 'ENABLED', false) as is_active,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        landing_url

    from ads

)

select * from mapped
