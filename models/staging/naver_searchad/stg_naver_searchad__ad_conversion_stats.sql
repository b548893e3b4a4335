{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ad_conversion_stats_daily') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        -- date_day, account_id, campaign_id, ad_group_id, keyword_id (Naver's "-": null),
        -- ad_id, business_channel_id, media_code, device
        {{ argo.naver_searchad_report_columns() }},
        cast(conversion_method as {{ dbt.type_int() }}) as conversion_method_code,
        cast(
            case conversion_method
                when 1 then 'direct'
                when 2 then 'indirect'
            end
            as {{ dbt.type_string() }}
        ) as conversion_method,
        cast(conversion_type as {{ dbt.type_string() }}) as naver_conversion_type,
        -- The seed's name for the type: Naver's type and the method, e.g. purchase_direct.
        cast(
            {{ dbt.concat([
                'trim(conversion_type)',
                "'_'",
                "case conversion_method when 1 then 'direct' when 2 then 'indirect' end",
            ]) }}
            as {{ dbt.type_string() }}
        ) as conversion_type,
        cast(coalesce(conversions, 0) as {{ argo.type_double() }}) as conversions,
        cast(coalesce(sales_amount, 0) as {{ dbt.type_numeric() }}) as conversions_value,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
