{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'keywords') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(criterion_id as {{ dbt.type_string() }}) as keyword_id,
        cast(keyword_text as {{ dbt.type_string() }}) as keyword_text,
        cast(match_type as {{ dbt.type_string() }}) as match_type,
        cast(status as {{ dbt.type_string() }}) as keyword_status,
        coalesce(negative, false) as is_negative,
        cast(cpc_bid_micros as {{ dbt.type_bigint() }}) as cpc_bid_micros,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
