-- One row per campaign and day from the campaign's first day with a row to the as-of day
-- (the newest day in rpt_campaign_performance_daily) while the campaign is live, else to
-- its last day with a row: a live campaign's day without a row is a zero day, so a stop
-- in delivery is seen instead of being a day that is not there.
-- The SQL is argo.anomalies_campaign_days_sql (macros/automation/anomalies_days.sql), which
-- fct_metric_scores_daily also runs for the days of its incremental window only.
{{ argo.anomalies_campaign_days_sql() }}
