{{ config(enabled=var('appsflyer__enabled', true)) }}

{%- set source_table = source('appsflyer', 'in_app_events') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(app_id as {{ dbt.type_string() }}) as app_id,
        cast(event_date as date) as event_date,
        cast(event_time as {{ dbt.type_timestamp() }}) as event_time,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(event_revenue as {{ dbt.type_numeric() }}) as event_revenue,
        cast(upper(event_revenue_currency) as {{ dbt.type_string() }}) as event_revenue_currency,
        cast(event_revenue_usd as {{ dbt.type_numeric() }}) as event_revenue_usd,
        cast(install_time as {{ dbt.type_timestamp() }}) as install_time,
        cast(appsflyer_id as {{ dbt.type_string() }}) as appsflyer_id,
        cast(media_source as {{ dbt.type_string() }}) as media_source,
        cast(campaign as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(platform as {{ dbt.type_string() }}) as device_platform,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
