{#
    The staging of one of Google Ads' daily reports (ad and keyword performance, ad and
    keyword conversions): the rows of `source_table` renamed and cast, keyed by day,
    account (customer), campaign, ad group and the report's object (`object_column` as
    GAQL names it, renamed `object_id`), with `report_columns` (the report's measures:
    `google_ads_metric_columns()` or `google_ads_conversion_columns()`) and dlt's load
    columns.
#}
{% macro google_ads_daily_report(source_table, object_column, object_id, report_columns) -%}
with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(segments_date as date) as date_day,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast({{ object_column }} as {{ dbt.type_string() }}) as {{ object_id }},
        {{ report_columns }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
{%- endmacro %}
