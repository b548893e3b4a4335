{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ad_groups') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(name as {{ dbt.type_string() }}) as ad_group_name,
        cast(ad_group_type as {{ dbt.type_string() }}) as ad_group_type,
        cast(bid_amount as {{ dbt.type_numeric() }}) as bid_amount,
        coalesce(use_daily_budget, false) as uses_daily_budget,
        cast(
            case when use_daily_budget then daily_budget end as {{ dbt.type_numeric() }}
        ) as daily_budget,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason,
        -- naver_status, status, is_active, is_locked, is_deleted, created_at, updated_at
        {{ argo.naver_searchad_object_columns() }},
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
