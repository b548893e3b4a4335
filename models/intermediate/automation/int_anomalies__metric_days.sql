-- One row per scope, entity, day and metric: the metric's value that day (null when its
-- denominator is 0: a ratio of nothing is not a value) and its volume, the count the
-- baseline-volume gate reads. Money is in the reporting currency.
-- The SQL is argo.anomalies_metric_days_sql (macros/automation/anomalies_days.sql), which
-- fct_metric_scores_daily also runs for the days of its incremental window only.
{{ argo.anomalies_metric_days_sql(ref('int_anomalies__entity_days')) }}
