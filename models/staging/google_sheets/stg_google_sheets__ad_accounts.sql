{%- if var('google_sheets__enabled', false) -%}
    {%- set source_table = source('google_sheets', 'ad_accounts') -%}
{%- else -%}
    {%- set source_table = ref('plan_ad_accounts') -%}
{%- endif -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        lower({{ argo.plan_text('platform') }}) as platform,
        {{ argo.plan_text('account_id') }} as account_id,
        {{ argo.plan_text('advertiser_id') }} as advertiser_id,
        {{ argo.plan_sheet_row() }}

    from source

)

select * from renamed
