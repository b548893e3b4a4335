{{ config(enabled=var('google_ads__enabled', true)) }}

{%- set source_table = source('google_ads', 'campaigns') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(name as {{ dbt.type_string() }}) as campaign_name,
        cast(status as {{ dbt.type_string() }}) as campaign_status,
        cast(advertising_channel_type as {{ dbt.type_string() }}) as advertising_channel_type,
        cast(bidding_strategy_type as {{ dbt.type_string() }}) as bidding_strategy_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(budget_amount_micros as {{ dbt.type_bigint() }}) as budget_amount_micros,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
