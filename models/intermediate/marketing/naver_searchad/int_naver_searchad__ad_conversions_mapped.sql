{{ config(enabled=var('naver_searchad__enabled', true)) }}

{#-
    One row per ad-day and conversion type, the type named with its method
    (purchase_direct, purchase_indirect, ...): Naver's total is direct plus indirect, and
    the seed ad_conversion_types counts both. Sales stay as the advertiser's tracking
    reported them: Naver does not know whether they include VAT.
-#}
{{ argo.naver_searchad_conversions_mapped(
    ref('stg_naver_searchad__ad_conversion_stats'),
    ref('int_naver_searchad__ad_accounts_mapped'),
    object_id='ad_id'
) }}
