{{ config(enabled=var('naver_searchad__enabled', true)) }}

{#- As int_naver_searchad__ad_conversions_mapped, per keyword-day (rows from a keyword). -#}
{{ argo.naver_searchad_conversions_mapped(
    ref('stg_naver_searchad__ad_conversion_stats'),
    ref('int_naver_searchad__ad_accounts_mapped'),
    object_id='keyword_id'
) }}
