{{ config(enabled=var('appsflyer__enabled', true)) }}

{%- set source_table = source('appsflyer', 'installs') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(app_id as {{ dbt.type_string() }}) as app_id,
        cast(install_date as date) as install_date,
        -- install_time, appsflyer_id, media_source, campaign_name, campaign_id, ad_group_id,
        -- ad_id, country_code, device_platform
        {{ argo.appsflyer_raw_data_columns() }},
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(adset as {{ dbt.type_string() }}) as ad_group_name,
        cast(ad as {{ dbt.type_string() }}) as ad_name,
        cast(attributed_touch_type as {{ dbt.type_string() }}) as attributed_touch_type,
        cast(attributed_touch_time as {{ dbt.type_timestamp() }}) as attributed_touch_time,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
