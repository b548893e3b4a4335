{{ config(enabled=var('google_ads__enabled', true)) }}

{#-
    source_relation, date_day, account_id, campaign_id, ad_group_id, keyword_id,
    impressions, clicks, cost_micros, spend,
    platform_conversions(_value), all_conversions(_value), load_id, loaded_at
-#}
{{ argo.google_ads_daily_report(
    source('google_ads', 'keyword_performance_daily'),
    object_column='criterion_id',
    object_id='keyword_id',
    report_columns=argo.google_ads_metric_columns()
) }}
