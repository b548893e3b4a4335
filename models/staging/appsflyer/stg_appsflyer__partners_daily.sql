{{ config(enabled=var('appsflyer__enabled', true)) }}

{%- set source_table = source('appsflyer', 'partners_daily') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(app_id as {{ dbt.type_string() }}) as app_id,
        cast(date as date) as date_day,
        cast(agency as {{ dbt.type_string() }}) as agency,
        cast(media_source as {{ dbt.type_string() }}) as media_source,
        cast(campaign as {{ dbt.type_string() }}) as campaign_name,
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(installs, 0) as {{ dbt.type_bigint() }}) as installs,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(loyal_users as {{ dbt.type_bigint() }}) as loyal_users,
        cast(total_revenue as {{ dbt.type_numeric() }}) as total_revenue,
        cast(total_cost as {{ dbt.type_numeric() }}) as total_cost,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
