{{ config(enabled=var('kakao_moment__enabled', true)) }}

with

creatives as (

    select * from {{ ref('stg_kakao_moment__creatives') }}

),

-- Kakao's ads are creatives; their format (IMAGE_NATIVE, VIDEO_NATIVE, ...) is the type.
mapped as (

    select
        'kakao_moment' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        ad_name,
        creative_format as ad_type,
        status,
        effective_status,
        is_active,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        landing_url

    from creatives

)

select * from mapped
