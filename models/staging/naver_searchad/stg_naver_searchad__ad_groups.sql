{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ad_groups') -%}

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
        cast(name as {{ dbt.type_string() }}) as ad_group_name,
        cast(ad_group_type as {{ dbt.type_string() }}) as ad_group_type,
        cast(bid_amount as {{ dbt.type_numeric() }}) as bid_amount,
        -- uses_daily_budget, daily_budget (null when not in use)
        {{ argo.naver_searchad_daily_budget_columns() }},
        cast(status_reason as {{ dbt.type_string() }}) as status_reason,
        -- naver_status, status, is_active, is_locked, is_deleted, created_at, updated_at
        {{ argo.naver_searchad_object_columns() }},
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
