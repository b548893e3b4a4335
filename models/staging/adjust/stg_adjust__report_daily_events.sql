{{ config(enabled=var('adjust__enabled', true)) }}

{%- set source_table = source('adjust', 'report_daily_events') -%}

with

source as (

    select * from {{ source_table }}

),

-- Adjust names a missing campaign or ad group 'unknown' (organic installs): null here.
renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(app_token as {{ dbt.type_string() }}) as app_id,
        cast(day as date) as date_day,
        cast(network as {{ dbt.type_string() }}) as media_source,
        cast(nullif(campaign_id_network, 'unknown') as {{ dbt.type_string() }}) as campaign_id,
        cast(nullif(adgroup_id_network, 'unknown') as {{ dbt.type_string() }}) as ad_group_id,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(event_slug as {{ dbt.type_string() }}) as event_name,
        cast(coalesce(events, 0) as {{ dbt.type_bigint() }}) as event_count,
        cast(coalesce(event_revenue, 0) as {{ dbt.type_numeric() }}) as event_revenue,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency_code,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
