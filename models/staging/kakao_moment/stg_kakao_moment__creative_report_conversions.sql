{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'creative_report_conversions') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(report_date as date) as date_day,
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(creative_id as {{ dbt.type_string() }}) as ad_id,
        cast(conversion_type as {{ dbt.type_string() }}) as conversion_type,
        cast(conversions as {{ argo.type_double() }}) as conversions,
        cast(conversion_value as {{ dbt.type_numeric() }}) as conversions_value,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
