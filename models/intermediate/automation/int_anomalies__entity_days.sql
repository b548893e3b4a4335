-- One row per scope, entity and day: the campaign days of int_anomalies__campaign_days
-- summed to the campaign, account, platform (advertiser x platform) and advertiser.
-- An entity's days are those of its campaigns' spines.
-- The SQL is argo.anomalies_entity_days_sql (macros/automation/anomalies_days.sql), which
-- fct_metric_scores_daily also runs for the days of its incremental window only.
{{ argo.anomalies_entity_days_sql() }}
