{{ config(enabled=var('meta_ads__enabled', true)) }}

with

ads as (

    select * from {{ ref('stg_meta_ads__ads') }}

),

-- Meta's ad carries no type of its own (the creative's object type is not loaded):
-- ad_type is null.
mapped as (

    select
        'meta_ads' as platform,
        source_relation,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        ad_name,
        cast(null as {{ dbt.type_string() }}) as ad_type,
        status,
        effective_status,
        is_active,
        created_at,
        landing_url

    from ads

)

select * from mapped
