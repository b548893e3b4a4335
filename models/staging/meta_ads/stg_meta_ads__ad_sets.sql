{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'ad_sets') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as ad_group_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(name as {{ dbt.type_string() }}) as ad_group_name,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(effective_status as {{ dbt.type_string() }}) as effective_status,
        coalesce(effective_status = 'ACTIVE', false) as is_active,
        cast(optimization_goal as {{ dbt.type_string() }}) as optimization_goal,
        cast(billing_event as {{ dbt.type_string() }}) as billing_event,
        cast(daily_budget as {{ dbt.type_bigint() }}) as daily_budget_minor_units,
        cast(lifetime_budget as {{ dbt.type_bigint() }}) as lifetime_budget_minor_units,
        {{ argo.to_utc_timestamp('created_time') }} as created_at,
        {{ argo.to_utc_timestamp('updated_time') }} as updated_at,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
