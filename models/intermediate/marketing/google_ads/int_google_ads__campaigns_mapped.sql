{{ config(enabled=var('google_ads__enabled', true)) }}

with

campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

),

customers as (

    select * from {{ ref('stg_google_ads__customers') }}

),

mapped as (

    select
        'google_ads' as platform,
        campaigns.source_relation,
        campaigns.account_id,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.advertising_channel_type as objective,
        {{ argo.google_ads_status('campaigns.campaign_status') }} as status,
        campaigns.campaign_status as effective_status,
        coalesce(campaigns.campaign_status = 'ENABLED', false) as is_active,
        customers.currency_code,
        {{ argo.minor_to_major_units('campaigns.budget_amount_micros', 6) }} as daily_budget,
        cast(null as {{ dbt.type_numeric() }}) as lifetime_budget,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(campaigns.start_date as {{ dbt.type_timestamp() }}) as start_at,
        cast(campaigns.end_date as {{ dbt.type_timestamp() }}) as stop_at

    from campaigns
    left join customers
        on campaigns.account_id = customers.account_id

)

select * from mapped
