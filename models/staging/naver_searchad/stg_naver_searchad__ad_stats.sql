{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ad_stats_daily') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        -- date_day, account_id, campaign_id, ad_group_id, keyword_id (Naver's "-": null),
        -- ad_id, business_channel_id, media_code, device
        {{ argo.naver_searchad_report_columns() }},
        cast(coalesce(impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        -- Cost exactly as the report states it (KRW); whether it includes VAT depends on
        -- the report day (is_cost_vat_included). Spend before VAT is worked out per ad-day
        -- in int_naver_searchad__ad_performance_mapped.
        cast(coalesce(cost, 0) as {{ dbt.type_numeric() }}) as reported_cost,
        cast(stat_date as date)
        >= cast('{{ var("naver_searchad__vat_included_from") }}' as date)
            as is_cost_vat_included,
        cast(rank_sum as {{ dbt.type_bigint() }}) as rank_sum,
        cast(view_count as {{ dbt.type_bigint() }}) as view_count,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
