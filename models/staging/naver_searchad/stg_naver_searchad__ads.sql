{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ads') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(ad_type as {{ dbt.type_string() }}) as ad_type,
        cast(headline as {{ dbt.type_string() }}) as headline,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(pc_final_url as {{ dbt.type_string() }}) as pc_final_url,
        cast(mobile_final_url as {{ dbt.type_string() }}) as mobile_final_url,
        cast(inspect_status as {{ dbt.type_string() }}) as inspect_status,
        -- naver_status, status, is_active, is_locked, is_deleted, created_at, updated_at
        {{ argo.naver_searchad_object_columns() }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
