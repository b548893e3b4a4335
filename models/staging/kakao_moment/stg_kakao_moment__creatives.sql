{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'creatives') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as ad_id,
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(name as {{ dbt.type_string() }}) as ad_name,
        cast(format as {{ dbt.type_string() }}) as creative_format,
        cast(landing_url as {{ dbt.type_string() }}) as landing_url,
        -- status, config, system_config, effective_status, is_active
        {{ argo.kakao_moment_status_columns('config', 'system_config') }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
