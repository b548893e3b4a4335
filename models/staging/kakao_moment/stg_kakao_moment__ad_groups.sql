{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'ad_groups') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(name as {{ dbt.type_string() }}) as ad_group_name,
        cast(type as {{ dbt.type_string() }}) as ad_group_type,
        cast(bid_strategy as {{ dbt.type_string() }}) as bid_strategy,
        -- status, config, system_config, effective_status, is_active
        {{ argo.kakao_moment_status_columns('config', 'system_config') }},
        cast(daily_budget_amount as {{ dbt.type_numeric() }}) as daily_budget,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
