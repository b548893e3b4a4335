{#-
    The suggestion engine's facts, long: one row per scope entity, date_day (the day the
    windows end), field and window_days, with its value in fact_value, for exactly the
    fields and windows of argo.suggestion_facts() (nulls left out: a condition on a
    missing figure never holds). fct_suggestions_daily joins the rules' conditions to
    these rows. The SQL is argo.suggestion_facts_sql (macros/automation/suggestion_facts.sql),
    which fct_suggestions_daily also runs over the days of its incremental window only.
-#}
{{ argo.suggestion_facts_sql(ref('int_suggestions__entity_days')) }}
