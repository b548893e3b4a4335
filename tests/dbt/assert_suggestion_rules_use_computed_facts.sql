{#-
    Every condition and minimum-volume guard of seeds/automation/ asks for a field the
    suggestion engine computes for the rule's scope over that window
    (argo.suggestion_facts()), and every rule has at least one condition. A row here is
    a rule that could never fire; fix the seed.
-#}
{%- set facts = argo.suggestion_facts() -%}

with

computed as (

    {{ argo.suggestion_facts_registry() }}

),

rules as (

    select * from {{ ref('suggestion_rules') }}

),

conditions as (

    select * from {{ ref('suggestion_rule_conditions') }}

),

asked as (

    select
        rules.rule_id,
        rules.scope,
        conditions.field,
        conditions.window_days,
        'condition ' || cast(conditions.condition_no as varchar) as asked_by
    from conditions
    inner join rules
        on conditions.rule_id = rules.rule_id

    union all

    select
        rule_id,
        scope,
        min_volume_field as field,
        min_volume_window_days as window_days,
        'minimum-volume guard' as asked_by
    from rules

),

problems as (

    select
        asked.rule_id,
        asked.asked_by || ': ' || asked.field || ' over '
        || cast(asked.window_days as varchar) || ' days is not computed for scope '
        || asked.scope as problem
    from asked
    left join computed
        on
            asked.scope = computed.scope
            and asked.field = computed.field
            and asked.window_days = computed.window_days
    where computed.field is null

    union all

    select
        rules.rule_id,
        'the rule has no condition' as problem
    from rules
    left join conditions
        on rules.rule_id = conditions.rule_id
    where conditions.rule_id is null

)

select * from problems
