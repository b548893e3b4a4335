{{ config(enabled=var('appsflyer__enabled', true)) }}

{%- set source_table = source('appsflyer', 'geo_daily_events') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(app_id as {{ dbt.type_string() }}) as app_id,
        cast(date as date) as date_day,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(agency as {{ dbt.type_string() }}) as agency,
        cast(media_source as {{ dbt.type_string() }}) as media_source,
        cast(campaign as {{ dbt.type_string() }}) as campaign_name,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(coalesce(unique_users, 0) as {{ dbt.type_bigint() }}) as unique_users,
        cast(coalesce(event_count, 0) as {{ dbt.type_bigint() }}) as event_count,
        cast(coalesce(sales_usd, 0) as {{ dbt.type_numeric() }}) as sales_usd,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
