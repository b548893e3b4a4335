{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'keywords') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(keyword_id as {{ dbt.type_string() }}) as keyword_id,
        cast(keyword as {{ dbt.type_string() }}) as keyword_text,
        coalesce(use_group_bid_amount, false) as uses_ad_group_bid,
        -- The keyword's own bid applies only when it does not use the ad group's.
        cast(
            case when not coalesce(use_group_bid_amount, false) then bid_amount end
            as {{ dbt.type_numeric() }}
        ) as bid_amount,
        cast(inspect_status as {{ dbt.type_string() }}) as inspect_status,
        -- naver_status, status, is_active, is_locked, is_deleted, created_at, updated_at
        {{ argo.naver_searchad_object_columns() }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
