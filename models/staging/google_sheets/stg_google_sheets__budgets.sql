{%- if var('google_sheets__enabled', false) -%}
    {%- set source_table = source('google_sheets', 'budgets') -%}
{%- else -%}
    {%- set source_table = ref('plan_budgets') -%}
{%- endif -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        {{ argo.plan_text('advertiser_id') }} as advertiser_id,
        lower({{ argo.plan_text('platform') }}) as platform,
        {{ argo.plan_text('account_id') }} as account_id,
        {{ argo.plan_text('campaign_id') }} as campaign_id,
        lower({{ argo.plan_text('budget_type') }}) as budget_type,
        {{ argo.plan_date('start_date') }} as start_date,
        {{ argo.plan_date('end_date') }} as end_date,
        {{ argo.plan_decimal('amount') }} as amount,
        upper({{ argo.plan_text('currency_code') }}) as currency_code,
        {{ argo.plan_date('valid_from') }} as valid_from,
        {{ argo.plan_sheet_row() }}

    from source

)

select * from renamed
