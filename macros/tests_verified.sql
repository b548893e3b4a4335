{#
    A data test checks every day until it has passed on every day (DECISIONLOG, 63).

    A day's build narrows the data tests of the incremental marts, and of the daily
    staging and intermediate models, to the days it rebuilt or loaded
    (argo.rebuilt_days_predicate, argo.loaded_days_predicate): older days did not change
    and passed the same test when they were built. That holds only for a test that did
    pass on them. A test added, or changed (its SQL, arguments, config or any macro it
    calls), since then has never checked those days, and would pass a build while they
    break it. So each build schema keeps the set of tests that passed on every day they
    cover, as they are now (a `tests_verified` row of marts__state.mart_builds, written
    at the end of each run), and a run that narrows its tests lists the selected ones
    not in that set (a `tests_unverified` row, written at its start): those check every
    day, and join the set when they pass.

    A test keeps its place in the set from one run to the next when it passed in that
    run, or did not run (or was skipped) and the run built none of the nodes it reads:
    a model rebuilt by a run that did not pass its test (`dbt run`, a failed build) may
    now hold rows it never checked.
#}

{#
    Each data test of the project as it is now -> its key: the MD5 of its unique id, SQL,
    test name and arguments, config, and the source of every macro it calls (and those
    call), first 16 hex digits. A test whose key is in the set passed on every day.
#}
{% macro data_test_keys() -%}
    {%- set macros = {} -%}
    {%- set closures = {} -%}
    {%- set keys = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' -%}
        {%- set called = node.depends_on.macros | sort -%}
        {%- set closure = called | join(',') -%}
        {%- if closure not in closures -%}
            {%- set digests = {} -%}
            {%- for macro_id, found in argo.macro_closure(called, macros).items() -%}
                {%- do digests.update({macro_id: found.md5}) -%}
            {%- endfor -%}
            {%- do closures.update({closure: local_md5(tojson(digests, sort_keys=true))}) -%}
        {%- endif -%}
        {%- do keys.update({node.unique_id: local_md5(tojson([
            node.unique_id, node.raw_code or '', node.test_metadata or {}, node.config,
            closures[closure],
        ], sort_keys=true))[:16]}) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- What marts__state.mart_builds calls a data test in a `tests_unverified` row. -#}
{% macro unverified_test_id(unique_id) -%}
    {{ return(local_md5(unique_id)[:12]) }}
{%- endmacro %}

{#- The keys of the tests that passed on every day in `schema`, as its last run left them. -#}
{% macro verified_tests(schema) -%}
    {%- set rows = run_query(argo.verified_tests_sql(schema)).rows -%}
    {{ return(fromjson(rows[0][0]) if rows and rows[0][0] else []) }}
{%- endmacro %}

{#- The query of argo.verified_tests: the newest `tests_verified` row of `schema`. -#}
{% macro verified_tests_sql(schema) -%}
    select inputs
    from {{ argo.marts_state_relation() }}
    where event = 'tests_verified' and schema_name = '{{ schema }}'
        and invocation_id <> '{{ invocation_id }}'
    order by run_started_at desc
    limit 1
{%- endmacro %}

{#
    on-run-start, in a run that narrows its data tests: the `tests_unverified` row of the
    selected tests not verified in `schema` (their ids: argo.unverified_test_id), or none
    when every selected test is. Says in one line how many check every day.
#}
{% macro tests_unverified_row(schema) -%}
    {%- set verified = argo.verified_tests(schema) -%}
    {%- set unverified = [] -%}
    {%- for uid, key in argo.data_test_keys().items()
        if uid in selected_resources and key not in verified -%}
        {%- do unverified.append(argo.unverified_test_id(uid)) -%}
    {%- endfor -%}
    {%- if not unverified -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set what = (unverified | length) ~ ' data test' ~ ('s' if unverified | length > 1 else '')
        ~ ' added or changed since ' ~ ('they' if unverified | length > 1 else 'it')
        ~ ' last passed in ' ~ schema -%}
    {%- do log("argo: " ~ what ~ ": checking every day, not only the window", info=true) -%}
    {{ return(argo.marts_state_row(1, 'tests_unverified', schema, {
        'node': 'data_tests',
        'inputs': tojson(unverified | sort),
        'note': what ~ ' check every day',
    })) }}
{%- endmacro %}

{#
    on-run-end: the `tests_verified` row of `schema` after this run (`results`): a test
    is in it when it passed, or did not run (or was skipped), was in the set before and
    reads no node the run built.
#}
{% macro tests_verified_row(schema, results) -%}
    {%- set before = argo.verified_tests(schema) -%}
    {%- set status = {} -%}
    {%- set built = [] -%}
    {%- for result in results -%}
        {%- do status.update({result.node.unique_id: result.status | string}) -%}
        {%- if result.node.resource_type in ('model', 'seed', 'snapshot')
            and (result.status | string) == 'success' -%}
            {%- do built.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set verified = [] -%}
    {%- for uid, key in argo.data_test_keys().items() -%}
        {%- set outcome = status.get(uid) -%}
        {%- if outcome == 'pass' -%}
            {%- do verified.append(key) -%}
        {%- elif outcome in (none, 'skipped') and key in before -%}
            {%- set reads_built = [] -%}
            {%- for parent in graph.nodes[uid].depends_on.nodes if parent in built -%}
                {%- do reads_built.append(parent) -%}
            {%- endfor -%}
            {%- if not reads_built -%}
                {%- do verified.append(key) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(argo.marts_state_row(2, 'tests_verified', schema, {
        'node': 'data_tests',
        'inputs': tojson(verified | sort),
        'note': (verified | length) ~ ' data tests passed on every day they check',
    })) }}
{%- endmacro %}
