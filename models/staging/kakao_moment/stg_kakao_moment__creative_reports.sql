{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'creative_report') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(report_date as date) as date_day,
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(creative_id as {{ dbt.type_string() }}) as ad_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(coalesce(imp, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(click, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(cost, 0) as {{ dbt.type_numeric() }}) as spend,
        cast(reach as {{ dbt.type_bigint() }}) as reach,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
