{{ config(enabled=var('adjust__enabled', true)) }}

{%- set source_table = source('adjust', 'report_daily_events') -%}

with

source as (

    select * from {{ source_table }}

),

-- Adjust names a missing campaign or ad group 'unknown' (organic installs): null here.
renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
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
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
