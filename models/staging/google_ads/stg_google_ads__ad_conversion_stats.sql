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
        -- conversion_action_id, _category, _name, primary_conversions(_value),
        -- all_conversions(_value)
        {{ argo.google_ads_conversion_columns() }},
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
