{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'campaigns') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as campaign_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as campaign_name,
        cast(objective as {{ dbt.type_string() }}) as objective,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(effective_status as {{ dbt.type_string() }}) as effective_status,
        coalesce(effective_status = 'ACTIVE', false) as is_active,
        cast(buying_type as {{ dbt.type_string() }}) as buying_type,
        cast(daily_budget as {{ dbt.type_bigint() }}) as daily_budget_minor_units,
        cast(lifetime_budget as {{ dbt.type_bigint() }}) as lifetime_budget_minor_units,
        {{ argo.to_utc_timestamp('created_time') }} as created_at,
        {{ argo.to_utc_timestamp('updated_time') }} as updated_at,
        {{ argo.to_utc_timestamp('start_time') }} as start_at,
        {{ argo.to_utc_timestamp('stop_time') }} as stop_at,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
