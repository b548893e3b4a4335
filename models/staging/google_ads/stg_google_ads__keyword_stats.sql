{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'keyword_performance_daily') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(segments_date as date) as date_day,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(criterion_id as {{ dbt.type_string() }}) as keyword_id,
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(cost_micros, 0) as {{ dbt.type_bigint() }}) as cost_micros,
        cast(coalesce(cost, 0) as {{ dbt.type_numeric() }}) as spend,
        cast(conversions as {{ argo.type_double() }}) as platform_conversions,
        cast(conversions_value as {{ dbt.type_numeric() }}) as platform_conversions_value,
        cast(all_conversions as {{ argo.type_double() }}) as all_conversions,
        cast(all_conversions_value as {{ dbt.type_numeric() }}) as all_conversions_value,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
