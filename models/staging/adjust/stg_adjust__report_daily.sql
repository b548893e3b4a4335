{{ config(enabled=var('adjust__enabled', true)) }}

{%- set source_table = source('adjust', 'report_daily') -%}

with

source as (

    select * from {{ source_table }}

),

-- Adjust names a missing campaign or ad group 'unknown' (organic installs): null here.
renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(app_token as {{ dbt.type_string() }}) as app_id,
        cast(app_name as {{ dbt.type_string() }}) as app_name,
        cast(day as date) as date_day,
        cast(network as {{ dbt.type_string() }}) as media_source,
        cast(nullif(campaign_network, 'unknown') as {{ dbt.type_string() }}) as campaign_name,
        cast(nullif(campaign_id_network, 'unknown') as {{ dbt.type_string() }}) as campaign_id,
        cast(nullif(adgroup_network, 'unknown') as {{ dbt.type_string() }}) as ad_group_name,
        cast(nullif(adgroup_id_network, 'unknown') as {{ dbt.type_string() }}) as ad_group_id,
        cast(upper(country_code) as {{ dbt.type_string() }}) as country_code,
        cast(coalesce(installs, 0) as {{ dbt.type_bigint() }}) as installs,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(network_cost, 0) as {{ dbt.type_numeric() }}) as network_cost,
        cast(coalesce(revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency_code,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
