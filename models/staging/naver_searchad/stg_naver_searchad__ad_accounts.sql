{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ad_accounts') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_account_no as {{ dbt.type_string() }}) as ad_account_no,
        cast(ad_account_name as {{ dbt.type_string() }}) as account_name,
        cast(role_name as {{ dbt.type_string() }}) as role_name,
        cast(currency as {{ dbt.type_string() }}) as currency_code,
        cast(timezone_id as {{ dbt.type_string() }}) as timezone_name,
        cast(disabled as boolean) as is_disabled,
        cast(deleted as boolean) as is_deleted,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
