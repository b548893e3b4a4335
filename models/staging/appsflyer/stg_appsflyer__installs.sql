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
        cast(install_time as {{ dbt.type_timestamp() }}) as install_time,
        cast(appsflyer_id as {{ dbt.type_string() }}) as appsflyer_id,
        cast(media_source as {{ dbt.type_string() }}) as media_source,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(campaign as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset as {{ dbt.type_string() }}) as ad_group_name,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad as {{ dbt.type_string() }}) as ad_name,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(attributed_touch_type as {{ dbt.type_string() }}) as attributed_touch_type,
        cast(attributed_touch_time as {{ dbt.type_timestamp() }}) as attributed_touch_time,
        cast(platform as {{ dbt.type_string() }}) as device_platform,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
