{%- if var('google_sheets__enabled', false) -%}
    {%- set source_table = source('google_sheets', 'targets') -%}
{%- else -%}
    {%- set source_table = ref('plan_targets') -%}
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
        {{ argo.plan_text('campaign_id') }} as campaign_id,
        lower({{ argo.plan_text('kpi') }}) as kpi,
        {{ argo.plan_decimal('target_value') }} as target_value,
        upper({{ argo.plan_text('currency_code') }}) as currency_code,
        {{ argo.plan_date('valid_from') }} as valid_from,
        {{ argo.plan_sheet_row() }}

    from source

)

select * from renamed
