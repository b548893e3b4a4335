{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'ad_accounts') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        cast(type as {{ dbt.type_string() }}) as account_type,
        cast(upper(trim(currency)) as {{ dbt.type_string() }}) as currency_code,
        cast(timezone_name as {{ dbt.type_string() }}) as timezone_name,
        cast(upper(trim(config)) as {{ dbt.type_string() }}) as account_config,
        cast(
            case upper(trim(config))
                when 'ON' then 'ACTIVE'
                when 'OFF' then 'DISABLED'
                when 'DEL' then 'CLOSED'
            end
            as {{ dbt.type_string() }}
        ) as account_status,
        coalesce(upper(trim(config)) = 'ON', false) as is_active,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
