{%- if var('google_sheets__enabled', false) -%}
    {%- set source_table = source('google_sheets', 'advertisers') -%}
{%- else -%}
    {%- set source_table = ref('plan_advertisers') -%}
{%- endif -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        {{ argo.plan_text('advertiser_id') }} as advertiser_id,
        {{ argo.plan_text('advertiser_name') }} as advertiser_name,
        {{ argo.plan_text('ae_name') }} as ae_name,
        lower({{ argo.plan_text('ae_email') }}) as ae_email,
        {{ argo.plan_sheet_row() }}

    from source

)

select * from renamed
