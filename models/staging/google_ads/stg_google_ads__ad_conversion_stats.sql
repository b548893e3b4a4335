{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'ad_conversions_daily') -%}

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
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(conversion_action_id as {{ dbt.type_string() }}) as conversion_action_id,
        cast(conversion_action_category as {{ dbt.type_string() }}) as conversion_action_category,
        cast(conversion_action_name as {{ dbt.type_string() }}) as conversion_action_name,
        cast(coalesce(conversions, 0) as {{ argo.type_double() }}) as primary_conversions,
        cast(coalesce(conversions_value, 0) as {{ dbt.type_numeric() }})
            as primary_conversions_value,
        cast(coalesce(all_conversions, 0) as {{ argo.type_double() }}) as all_conversions,
        cast(coalesce(all_conversions_value, 0) as {{ dbt.type_numeric() }})
            as all_conversions_value,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
