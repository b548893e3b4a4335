{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'ads_insights_actions') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(date_start as date) as date_day,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(action_type as {{ dbt.type_string() }}) as action_type,
        cast(action_count as {{ argo.type_double() }}) as action_count,
        cast(action_value as {{ dbt.type_numeric() }}) as action_value,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
