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
        -- install_time, appsflyer_id, media_source, campaign_name, campaign_id, ad_group_id,
        -- ad_id, country_code, device_platform
        {{ argo.appsflyer_raw_data_columns() }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
