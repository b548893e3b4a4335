{{ config(enabled=var('google_ads__enabled', true)) }}

{#-
    Per category, from all_conversions: Google's `conversions` counts only the actions
    marked primary, so a secondary category (add to cart, typically) would read 0. Which
    categories count is the seed's decision, not the account's primary setting. Several
    conversion actions can share a category: they are summed.
-#}
{{ argo.google_ads_conversions_mapped(
    ref('stg_google_ads__ad_conversion_stats'),
    ref('stg_google_ads__customers'),
    object_id='ad_id'
) }}
