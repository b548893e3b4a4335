{{ config(enabled=var('google_ads__enabled', true)) }}

{#-
    source_relation, date_day, account_id, campaign_id, ad_group_id, ad_id,
    conversion_action_id, _category, _name,
    primary_conversions(_value), all_conversions(_value), load_id, loaded_at
-#}
{{ argo.google_ads_daily_report(
    source('google_ads', 'ad_conversions_daily'),
    object_column='ad_id',
    object_id='ad_id',
    report_columns=argo.google_ads_conversion_columns()
) }}
