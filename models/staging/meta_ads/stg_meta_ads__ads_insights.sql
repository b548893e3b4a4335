{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'ads_insights') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(date_start as date) as date_day,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(adset_name as {{ dbt.type_string() }}) as ad_group_name,
        cast(ad_name as {{ dbt.type_string() }}) as ad_name,
        cast(upper(trim(account_currency)) as {{ dbt.type_string() }}) as currency_code,
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(spend, 0) as {{ dbt.type_numeric() }}) as spend,
        cast(reach as {{ dbt.type_bigint() }}) as reach,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
