{#
    The daily facts and reports are incremental: each run recomputes the days from
    var('argo__mart_lookback_days') before the newest day already in the mart (the
    sources re-pull about that many days: Meta 28, Google 30) and writes them over the
    rows with the same grain. Same semantics on both engines (DECISIONLOG, 25):

    - DuckDB: delete+insert on the grain (`unique_key`), in one transaction;
    - Athena: an Iceberg table, partitioned by month of `date_day`, merged on the grain
      (one atomic Iceberg commit), parquet with zstd.

    Before either, a pre-hook (argo.delete_lookback_window) deletes every row of the
    window's days: the run writes those days again in full, so a day or a row that the
    sources no longer have (a day restated to nothing) leaves the mart too, not only the
    rows whose grain comes back. Marts are built in a schema readers do not see and
    published after every test passed (macros/publish_marts.sql), so the moment between
    the delete and the insert is never read.

    `argo transform --full-refresh` (dbt's --full-refresh) rebuilds them from scratch; a
    change to what their history is computed from rebuilds them too (macros/marts_builds.sql).
#}
{% macro incremental_mart_config(unique_key, pre_hook=[], post_hook=[]) -%}
    {#- A mart's own hooks run after argo.delete_lookback_window. -#}
    {%- set settings = {
        'materialized': 'incremental',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
        'pre_hook': ['{{ argo.delete_lookback_window() }}'] + pre_hook,
    } -%}
    {%- if post_hook -%}
        {%- do settings.update({'post_hook': post_hook}) -%}
    {%- endif -%}
    {%- if target.type == 'athena' -%}
        {%- do settings.update({
            'table_type': 'iceberg',
            'incremental_strategy': 'merge',
            'partitioned_by': ['month(date_day)'],
            'format': 'parquet',
            'write_compression': 'zstd',
        }) -%}
    {%- else -%}
        {%- do settings.update({'incremental_strategy': 'delete+insert'}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

{#
    Pre-hook of the incremental marts: `delete from this where date_day >= <window start>`
    on an incremental run (the same start argo.in_lookback_window writes into the model's
    SQL, computed from the same state: the mart is not written before this hook), nothing
    on a full build or when the mart is empty. Either way it records the days the run
    rewrites (argo.record_rebuilt_days), which the mart's data tests then check.
#}
{% macro delete_lookback_window(column='date_day') -%}
    {%- if execute -%}
        {%- set start = argo.lookback_window_start_of_this() if is_incremental() else none -%}
        {%- do argo.record_rebuilt_days(column, start) -%}
        {%- if start is not none -%}
            {{ argo.delete_days_from_sql(this, start, column) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    Records, in marts__state.mart_builds, the days this run rewrites in the incremental
    mart being built: a `window` row with `inputs` {"column": ..., "start": <first day>}
    (start null: every day). Written in the model's own transaction on DuckDB, so a
    build that fails leaves none.
#}
{% macro record_rebuilt_days(column, start) -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set day = none if start is none else (start | string)[:10] -%}
    {%- do run_query(argo.marts_state_insert_sql([argo.marts_state_row(2, 'window', this.schema, {
        'node': model.unique_id,
        'inputs': tojson({'column': column, 'start': day}, sort_keys=true),
        'note': 'rebuilt every day' if day is none else 'rebuilt from ' ~ day,
    })])) -%}
{%- endmacro %}

{#
    The data tests of the marts check only the days the run rebuilt (dbt_project.yml sets
    `where: __argo_rebuilt_days__` on every test of models/marts/): dbt's own
    get_where_subquery, with the placeholder replaced by argo.rebuilt_days_predicate.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__argo_rebuilt_days__' in where -%}
        {%- set where = where | replace('__argo_rebuilt_days__', argo.rebuilt_days_predicate(relation)) -%}
    {%- endif -%}
    {%- if where and '__argo_loaded_days__' in where -%}
        {%- set where = where | replace('__argo_loaded_days__', argo.loaded_days_predicate(relation)) -%}
    {%- endif -%}
    {%- if where and (where | trim) != '1 = 1' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#
    A predicate on `relation` for its data tests: `<column> >= cast('<day>' as date)` when
    it is an incremental mart whose build in this run rewrote the days from <day> (its
    `window` row), `1 = 1` otherwise: a full build, a mart this run did not build (a test
    selected for another parent's sake), `dbt test`, a model that is no incremental mart.
#}
{% macro rebuilt_days_predicate(relation) -%}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set node = argo.model_node_of(relation) -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if node is none or node.config.materialized != 'incremental'
        or adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set rows = run_query(argo.rebuilt_days_sql(relation.schema, node.unique_id)).rows -%}
    {%- set window = argo.window_of_this_test(rows) -%}
    {%- if not window.get('start') -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {{ return(window['column'] ~ " >= cast('" ~ window['start'] ~ "' as date)") }}
{%- endmacro %}

{#
    A predicate on `relation` for the data tests of the staging and intermediate models
    and of the sources they read (dbt_project.yml sets `where: __argo_loaded_days__` on
    them): `(<day column> >= cast('<day>' as date) or <day column> is null)` when this run
    recorded a `tests_window` row (argo.tests_window_row: a day's build with no model
    changed) and `relation` has a daily column: a model's documented one among
    argo.daily_staging_day_columns, or a raw table's `argo_day_column` (argo.source_day_column).
    `1 = 1` otherwise (a full build, `dbt test`, a model or table without days).
#}
{% macro loaded_days_predicate(relation) -%}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set node = argo.model_node_of(relation) -%}
    {%- if node is none -%}
        {%- set column = argo.source_day_column(relation) -%}
    {%- else -%}
        {%- set column = argo.day_column_of(node) -%}
    {%- endif -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if not column
        or adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set rows = run_query(argo.tests_window_sql()).rows -%}
    {%- set window = argo.window_of_this_test(rows) -%}
    {%- if not window.get('start') -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {#- A row without a day is kept: a test of the column's not_null still sees it. -#}
    {{ return('(' ~ column ~ " >= cast('" ~ window['start'] ~ "' as date) or "
        ~ column ~ ' is null)') }}
{%- endmacro %}

{#
    The day column of the raw table `relation` that the data test being compiled reads, or
    none: its source's `argo_day_column` (config.meta in the sources file), and only when a
    daily staging model with a `load_id` reads that table, so that the `tests_window` start
    (argo.earliest_day_loaded_into, over those models) covers the table's loads.
#}
{% macro source_day_column(relation) -%}
    {%- set parents = model.depends_on.nodes if model is mapping and model.get('depends_on') else [] -%}
    {%- for uid in parents if uid in graph.sources -%}
        {%- set source = graph.sources[uid] -%}
        {%- if (source.schema | lower) == (relation.schema | lower)
            and (source.identifier | lower) == (relation.identifier | lower) -%}
            {%- set column = (source.config.get('meta') or {}).get('argo_day_column')
                or (source.get('meta') or {}).get('argo_day_column') -%}
            {%- for reader in graph.nodes.values() if column and uid in reader.depends_on.get('nodes', [])
                and argo.loaded_day_column(reader) -%}
                {{ return(column) }}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#
    The model whose relation is `relation`, as a graph node, or none. A data test's own
    model first (its `attached_node`: one lookup), else a walk of the graph.
#}
{% macro model_node_of(relation) -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- set own = graph.nodes.get(attached) if attached else none -%}
    {%- if own and own.resource_type == 'model'
        and (own.schema | lower) == (relation.schema | lower)
        and (own.alias | lower) == (relation.identifier | lower) -%}
        {{ return(own) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and (node.schema | lower) == (relation.schema | lower)
        and (node.alias | lower) == (relation.identifier | lower) -%}
        {{ return(node) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#-
    The query of argo.loaded_days_predicate: this run's `tests_window` row, and
    argo.unverified_sql's.
-#}
{% macro tests_window_sql() -%}
    select inputs
    from {{ argo.marts_state_relation() }}
    where event = 'tests_window' and invocation_id = '{{ invocation_id }}'
    {{ argo.unverified_sql() }}
{%- endmacro %}

{#-
    The query of argo.rebuilt_days_predicate: this run's `window` row of `unique_id`, and
    argo.unverified_sql's.
-#}
{% macro rebuilt_days_sql(schema, unique_id) -%}
    select inputs
    from {{ argo.marts_state_relation() }}
    where event = 'window' and invocation_id = '{{ invocation_id }}'
        and schema_name = '{{ schema }}' and node = '{{ unique_id }}'
    {{ argo.unverified_sql() }}
{%- endmacro %}

{#-
    A row 'unverified' when the data test `test` (default: the one being compiled) is in
    this run's `tests_unverified` row (macros/tests_verified.sql): it has not passed on
    every day yet, so it checks them all.
-#}
{% macro unverified_sql(test=none) -%}
    {%- if test is none and model is mapping and model.get('resource_type') == 'test' -%}
        {%- set test = model.get('unique_id') -%}
    {%- endif -%}
    {%- if test -%}
    union all
    select 'unverified'
    from {{ argo.marts_state_relation() }}
    where event = 'tests_unverified' and invocation_id = '{{ invocation_id }}'
        and inputs like '%"{{ argo.unverified_test_id(test) }}"%'
    {%- endif -%}
{%- endmacro %}

{#-
    The window in the rows of argo.rebuilt_days_sql or argo.tests_window_sql: {} (every
    day) when there is none or the data test being compiled is unverified.
-#}
{% macro window_of_this_test(rows) -%}
    {%- set found = {} -%}
    {%- for row in rows -%}
        {%- if row[0] == 'unverified' -%}
            {{ return({}) }}
        {%- endif -%}
        {%- do found.update(fromjson(row[0])) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The statement deleting the rows of `relation` whose `column` is on or after `start`. -#}
{% macro delete_days_from_sql(relation, start, column='date_day') -%}
    delete from {{ relation }} where {{ column }} >= cast('{{ start }}' as date)
{%- endmacro %}

{#
    The days an incremental run recomputes: `true` on a full build, else `column` from
    the day argo.lookback_window_start gives (DECISIONLOG, 27 and 38).

    The mart's newest day, and the earliest day of the raw rows loaded since the mart's
    last build in this schema, are read when the model runs and written into the SQL as
    a date literal. A literal lets the engine push the filter through the staging and
    intermediate views down to the raw tables' scans (DuckDB prunes row groups, Athena
    partitions); a scalar subquery on the mart would be applied only after the views
    had read all of history. An empty mart gives every day.
#}
{% macro in_lookback_window(column='date_day') -%}
    {%- set start = argo.lookback_window_start_of_this() if is_incremental() else none -%}
    {%- if start is none -%}
        1 = 1
    {%- else -%}
        {{ column }} >= cast('{{ start }}' as date)
    {%- endif -%}
{%- endmacro %}

{#
    The first day of the window, as a date (none: every day):

        min(min(newest_day, today + 1) - lookback_days, earliest_loaded_day)

    `newest_day` is the newest day in the mart, `today` ARGO's today (argo.argo_today):
    a row dated in the future (a source's bad value) cannot move the window past the
    days that are still being restated; today + 1 because an account east of UTC is
    already on tomorrow. `earliest_loaded_day` is the earliest day among the raw rows
    loaded since the mart's last build (none: nothing older than the window); a backfill
    older than the window widens it back to its first day. Dates or ISO strings.
#}
{% macro lookback_window_start(newest_day, today, lookback_days, earliest_loaded_day=none) -%}
    {%- if newest_day is none or (newest_day | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set days = modules.datetime.timedelta -%}
    {%- set newest = modules.datetime.date.fromisoformat((newest_day | string)[:10]) -%}
    {%- set bound = modules.datetime.date.fromisoformat((today | string)[:10]) + days(days=1) -%}
    {%- set start = ([newest, bound] | min) - days(days=lookback_days | int) -%}
    {%- if earliest_loaded_day is not none and (earliest_loaded_day | string | trim) != '' -%}
        {%- set loaded = modules.datetime.date.fromisoformat((earliest_loaded_day | string)[:10]) -%}
        {%- set start = [start, loaded] | min -%}
    {%- endif -%}
    {{ return(start) }}
{%- endmacro %}

{#
    ARGO's today, in UTC: the day of the instant in the environment variable ARGO_NOW
    (the project's clock, ingestion/clock.py: `2026-11-20T01:30:00Z`) when it is set,
    else the day this dbt run started.
#}
{% macro argo_today() -%}
    {%- set configured = env_var('ARGO_NOW', '') | trim -%}
    {%- if not configured -%}
        {{ return(run_started_at.astimezone(modules.pytz.utc).date()) }}
    {%- endif -%}
    {%- set instant = modules.datetime.datetime.fromisoformat(configured.replace('Z', '+00:00')) -%}
    {%- if instant.tzinfo is none -%}
        {{ exceptions.raise_compiler_error(
            "ARGO_NOW=" ~ configured ~ " has no time zone; add Z or an offset like +09:00"
        ) }}
    {%- endif -%}
    {{ return(instant.astimezone(modules.pytz.utc).date()) }}
{%- endmacro %}

{#
    The window of the incremental model being compiled (`this`): its newest day, ARGO's
    today, and, when this run started from a finished build of it in this schema
    (macros/marts_builds.sql), the earliest day among the raw rows of its daily staging
    models loaded since that build started. One query.
#}
{% macro lookback_window_start_of_this() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = argo.marts_build_loads_since(this, model.unique_id) -%}
    {%- set loaded = argo.earliest_day_loaded_since(model.unique_id, since) if since else none -%}
    {%- set found = run_query(
        'select (select max(date_day) from ' ~ this ~ ') as newest_day, '
        ~ (('(' ~ loaded ~ ')') if loaded else 'cast(null as date)') ~ ' as earliest_loaded_day'
    ) -%}
    {%- set row = found.rows[0] -%}
    {{ return(argo.lookback_window_start(
        row['newest_day'], argo.argo_today(), var('argo__mart_lookback_days'),
        row['earliest_loaded_day']
    )) }}
{%- endmacro %}

{#
    Daily staging models and the column that holds their day: the raw rows a mart's
    window follows when they are loaded again. The holiday calendar is left out on
    purpose: its source re-sends whole years on every run, which would make every run
    recompute the year (a past holiday corrected later reaches the reports with
    --full-refresh; DECISIONLOG, 38).
#}
{% macro daily_staging_day_columns() -%}
    {{ return(['date_day', 'event_date', 'install_date', 'rate_date']) }}
{%- endmacro %}

{#- The documented daily column of the model `node` (argo.daily_staging_day_columns), or none. -#}
{% macro day_column_of(node) -%}
    {{ return(node.columns.keys() | select('in', argo.daily_staging_day_columns()) | first) }}
{%- endmacro %}

{#- The day column of `node` when it is a daily staging model with a `load_id` (whose loads
    argo.earliest_day_loaded_into reads), or none. -#}
{% macro loaded_day_column(node) -%}
    {%- if node.resource_type == 'model' and 'staging' in node.fqn and 'load_id' in node.columns -%}
        {{ return(argo.day_column_of(node)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#
    SQL giving the earliest day among the raw rows that the daily staging models upstream
    of `unique_id` hold from loads dlt committed after the epoch second `since` (dlt's
    `_dlt_loads.inserted_at` in each raw dataset, joined on the rows' `load_id`), or none
    when no such model is upstream.
#}
{% macro earliest_day_loaded_since(unique_id, since) -%}
    {{ return(argo.earliest_day_loaded_into(argo.upstream_nodes(unique_id), since)) }}
{%- endmacro %}

{#
    The same for the daily staging models among the graph nodes `unique_ids` (the SQL, or
    none when there is none among them).
#}
{% macro earliest_day_loaded_into(unique_ids, since) -%}
    {%- set parts = [] -%}
    {%- for uid in unique_ids -%}
        {%- set node = graph.nodes.get(uid) -%}
        {%- set day = argo.loaded_day_column(node) if node else none -%}
        {%- if day -%}
            {%- set sources = [] -%}
            {%- for parent in node.depends_on.nodes if parent in graph.sources -%}
                {%- do sources.append(graph.sources[parent]) -%}
            {%- endfor -%}
            {%- set source = sources | first -%}
            {%- if source -%}
                {%- set loads = adapter.get_relation(source.database, source.schema, '_dlt_loads') -%}
                {%- if loads -%}
                    {%- set staged = api.Relation.create(
                        database=node.database, schema=node.schema, identifier=node.alias
                    ) -%}
                    {%- do parts.append(
                        'select min(' ~ day ~ ') as loaded_day from ' ~ staged
                        ~ ' where load_id in (select load_id from ' ~ loads
                        ~ ' where ' ~ argo.epoch_seconds('inserted_at') ~ ' > ' ~ since ~ ')'
                    ) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not parts -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        'select min(loaded_day) from (' ~ (parts | join(' union all ')) ~ ') as loaded_days'
    ) }}
{%- endmacro %}

{#
    Dispatched: a timestamp (with or without time zone) as seconds since 1970-01-01 UTC,
    a double. DuckDB: epoch(); Athena: to_unixtime().
#}
{% macro epoch_seconds(expression) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'argo')(expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds(expression) -%}
    epoch({{ expression }})
{%- endmacro %}

{% macro athena__epoch_seconds(expression) -%}
    to_unixtime({{ expression }})
{%- endmacro %}

{#
    What a view's SQL, run again by an incremental mart for its window only, reads `name`
    from: ref(name) in the view itself (every day: `since` none), else the relation of
    the node `name` (argo.suggestion_entity_days_sql in fct_suggestions_daily,
    argo.anomalies_campaign_days_sql and argo.anomalies_entity_days_sql in
    fct_metric_scores_daily). The latter is not a ref: the mart's parents stay the views,
    so its unit tests give the views' rows; the view's parents are built before it, and so
    before the mart.
#}
{% macro window_input(name, since=none) -%}
    {%- if since is none -%}
        {{ return(ref(name)) }}
    {%- endif -%}
    {{ return(argo.node_relation(name)) }}
{%- endmacro %}

{#- The relation of the model or seed `name`, from the graph (not a ref: no dependency). -#}
{% macro node_relation(name) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed') and node.name == name -%}
        {{ return(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        )) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("argo.node_relation: no model named " ~ name) }}
{%- endmacro %}
