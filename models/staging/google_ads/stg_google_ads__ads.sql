{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'ads') -%}

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
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(name as {{ dbt.type_string() }}) as ad_name,
        cast(type as {{ dbt.type_string() }}) as ad_type,
        cast(status as {{ dbt.type_string() }}) as ad_status,
        cast(final_url as {{ dbt.type_string() }}) as landing_url,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
