{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'ads') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as ad_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(name as {{ dbt.type_string() }}) as ad_name,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(effective_status as {{ dbt.type_string() }}) as effective_status,
        coalesce(effective_status = 'ACTIVE', false) as is_active,
        cast(creative_id as {{ dbt.type_string() }}) as creative_id,
        cast(creative_link as {{ dbt.type_string() }}) as landing_url,
        {{ argo.to_utc_timestamp('created_time') }} as created_at,
        {{ argo.to_utc_timestamp('updated_time') }} as updated_at,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
