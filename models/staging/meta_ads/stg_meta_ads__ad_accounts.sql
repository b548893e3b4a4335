{{ config(enabled=var('meta_ads__enabled', true)) }}

{%- set source_table = source('meta_ads', 'ad_accounts') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(id as {{ dbt.type_string() }}) as account_node_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        cast(upper(trim(currency)) as {{ dbt.type_string() }}) as currency_code,
        cast(timezone_name as {{ dbt.type_string() }}) as timezone_name,
        cast(account_status as {{ dbt.type_bigint() }}) as account_status_code,
        cast(
            case account_status
                when 1 then 'ACTIVE'
                when 2 then 'DISABLED'
                when 3 then 'UNSETTLED'
                when 7 then 'PENDING_RISK_REVIEW'
                when 8 then 'PENDING_SETTLEMENT'
                when 9 then 'IN_GRACE_PERIOD'
                when 100 then 'PENDING_CLOSURE'
                when 101 then 'CLOSED'
                when 201 then 'ANY_ACTIVE'
                when 202 then 'ANY_CLOSED'
            end
            as {{ dbt.type_string() }}
        ) as account_status,
        coalesce(account_status = 1, false) as is_active,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
