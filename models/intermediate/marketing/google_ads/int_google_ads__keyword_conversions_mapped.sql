{{ config(enabled=var('google_ads__enabled', true)) }}

{#- all_conversions per category, as in int_google_ads__ad_conversions_mapped. -#}
{{ argo.google_ads_conversions_mapped(
    ref('stg_google_ads__keyword_conversion_stats'),
    ref('stg_google_ads__customers'),
    object_id='keyword_id'
) }}
