{#-
    Every figure the suggestion rules can test, wide: one row per scope entity (keyword,
    campaign, ad, or an advertiser's platform) and date_day, the day its trailing windows
    end, for every day from the entity's first row to the as-of day (the newest day of
    rpt_campaign_performance_daily), stopping 27 days after its last row (by then every
    window is empty). Days without rows count as zero, so every window covers exactly its
    days. int_suggestions__facts turns this into the long form the rules are joined to;
    fct_suggestions_daily reads the names and the impact inputs from here.

    The windows are fixed here (docs/automation.md, "Suggestions"): a rule can only ask for
    these; the seed's tests refuse any other. The SQL is argo.suggestion_entity_days_sql
    (macros/automation/suggestion_entity_days.sql), which fct_suggestions_daily also runs
    for the days of its incremental window only.
-#}
{{ argo.suggestion_entity_days_sql() }}
