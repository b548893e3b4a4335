{#
    Write, audit, publish (DECISIONLOG, 36). Readers read the views of the schema `marts`;
    dbt builds the mart tables into `marts__blue` or `marts__green` (the one readers do not
    see: generate_schema_name.sql), runs every test on them, and only a run in which
    everything succeeded points the `marts` views at the new tables.

    dbt_project.yml calls the two hooks below on every run:
    - on-run-start (argo.marts_before_build): refuses to build into the schema readers
      see; decides, for each incremental mart the run builds, whether it may continue
      from its last build in this schema or must be rebuilt in full (its inputs changed,
      or that build did not finish: DECISIONLOG, 37), drops the ones to rebuild, and
      records the run as started;
    - on-run-end (argo.marts_after_build): records which marts the run finished and, when
      the run was a `dbt build` of every mart and everything they are built from and
      nothing failed, publishes (argo.publish_marts).

    What the runs did is kept in one table, marts__state.mart_builds, one row per event:
    `started` (a mart the run builds, with the fingerprint of its inputs and why it is
    rebuilt or continued), `deployed` (a model, seed or snapshot the run built, with its
    digest: macros/marts_fingerprint.sql), `built` (the run finished the mart),
    `published` (the run's schema became what readers see); `window` and `tests_window`
    (the days a day's build tests: macros/incremental_marts.sql); `tests_unverified` and
    `tests_verified` (the tests that check every day: macros/tests_verified.sql). Nothing
    in it is needed to read the marts.
#}

{% macro marts_state_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema='marts__state', identifier='mart_builds', type='table'
    )) }}
{%- endmacro %}

{#- The columns of marts__state.mart_builds (all text but `step`). -#}
{% macro marts_state_columns() -%}
    {{ return([
        'run_started_at', 'invocation_id', 'step', 'event', 'schema_name', 'node',
        'fingerprint', 'inputs', 'started_at_epoch', 'loads_since_epoch', 'note',
    ]) }}
{%- endmacro %}

{#- The dbt commands that build marts (and so run the hooks' work). -#}
{% macro marts_building_commands() -%}
    {{ return(['build', 'run', 'retry']) }}
{%- endmacro %}

{% macro ensure_marts_state() -%}
    {%- set relation = argo.marts_state_relation() -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {%- do adapter.create_schema(relation) -%}
        {%- do run_query(adapter.dispatch('create_marts_state_sql', 'argo')(relation)) -%}
        {%- do adapter.cache_added(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro default__create_marts_state_sql(relation) -%}
    create table if not exists {{ relation }} (
        {%- for column in argo.marts_state_columns() %}
        {{ column }} {{ 'integer' if column == 'step' else 'varchar' }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Athena: an Iceberg table (INSERT is one atomic commit), beside dbt's tables on S3. -#}
{% macro athena__create_marts_state_sql(relation) -%}
    create table if not exists {{ relation.render_hive() }} (
        {%- for column in argo.marts_state_columns() %}
        {{ column }} {{ 'int' if column == 'step' else 'string' }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    location '{{ target.s3_data_dir.rstrip("/") }}/{{ relation.schema }}/{{ relation.identifier }}/'
    tblproperties ('table_type' = 'ICEBERG')
{%- endmacro %}

{#- SQL inserting `rows` (dicts keyed by column) into marts__state.mart_builds. -#}
{% macro marts_state_insert_sql(rows) -%}
    {%- set values = [] -%}
    {%- for row in rows -%}
        {%- set literals = [] -%}
        {%- for column in argo.marts_state_columns() -%}
            {%- set value = row.get(column) -%}
            {%- if value is none -%}
                {%- do literals.append('null') -%}
            {%- elif column == 'step' -%}
                {%- do literals.append(value | int | string) -%}
            {%- else -%}
                {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do values.append('(' ~ (literals | join(', ')) ~ ')') -%}
    {%- endfor -%}
    insert into {{ argo.marts_state_relation() }} ({{ argo.marts_state_columns() | join(', ') }})
    values {{ values | join(', ') }}
{%- endmacro %}

{#- A state row of this run (`run_started_at`, `invocation_id`) with `fields`. -#}
{% macro marts_state_row(step, event, schema, fields={}) -%}
    {%- set row = {
        'run_started_at': run_started_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
        'invocation_id': invocation_id,
        'step': step,
        'event': event,
        'schema_name': schema,
    } -%}
    {%- do row.update(fields) -%}
    {{ return(row) }}
{%- endmacro %}

{#- The latest publish: a row with schema_name, invocation_id, run_started_at; or none. -#}
{% macro published_marts() -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(argo.published_marts_sql()) -%}
    {{ return(found.rows[0] if found.rows else none) }}
{%- endmacro %}

{#- The query of argo.published_marts. -#}
{% macro published_marts_sql() -%}
    select schema_name, invocation_id, run_started_at
    from {{ argo.marts_state_relation() }}
    where event = 'published'
    order by run_started_at desc
    limit 1
{%- endmacro %}

{#
    The last build of each incremental mart in `schema` before this run: its unique id ->
    row (invocation_id, run_started_at, fingerprint, inputs, started_at_epoch, finished).
#}
{% macro previous_mart_builds(schema) -%}
    {%- set found = run_query(argo.previous_mart_builds_sql(schema)) -%}
    {%- set builds = {} -%}
    {%- for row in found.rows -%}
        {%- do builds.update({row['node']: row}) -%}
    {%- endfor -%}
    {{ return(builds) }}
{%- endmacro %}

{#- The query of argo.previous_mart_builds (a macro, so that it compiles on its own). -#}
{% macro previous_mart_builds_sql(schema) -%}
    with started as (
        select
            node, invocation_id, run_started_at, fingerprint, inputs, started_at_epoch,
            row_number() over (partition by node order by run_started_at desc) as recency
        from {{ argo.marts_state_relation() }}
        where event = 'started' and schema_name = '{{ schema }}'
            and invocation_id <> '{{ invocation_id }}'
    ),

    built as (
        select distinct invocation_id, node
        from {{ argo.marts_state_relation() }}
        where event = 'built' and schema_name = '{{ schema }}'
    )

    select
        started.node,
        started.invocation_id,
        started.run_started_at,
        started.fingerprint,
        started.inputs,
        started.started_at_epoch,
        case when built.node is null then 0 else 1 end as finished
    from started
    left join built
        on started.invocation_id = built.invocation_id and started.node = built.node
    where started.recency = 1
{%- endmacro %}

{#
    Where the incremental mart being compiled (`relation`, `unique_id`) continues from: the epoch second
    its last finished build in this schema started (this run's `started` row has it), or
    none (a full build, or no hooks ran: `dbt compile`, the linter).
#}
{% macro marts_build_loads_since(relation, unique_id) -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(argo.loads_since_sql(state, relation.schema, unique_id)) -%}
    {%- set since = found.rows[0]['since'] if found.rows else none -%}
    {{ return(none if since is none or (since | string) == '' else since) }}
{%- endmacro %}

{#- The query of argo.marts_build_loads_since. -#}
{% macro loads_since_sql(state, schema, unique_id) -%}
    select max(loads_since_epoch) as since
    from {{ state }}
    where event = 'started' and invocation_id = '{{ invocation_id }}'
        and schema_name = '{{ schema }}' and node = '{{ unique_id }}'
{%- endmacro %}

{#- The models of `schema` (the marts), enabled, as graph nodes. -#}
{% macro mart_models(schema) -%}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.schema == schema and node.config.materialized != 'ephemeral' -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {{ return(found | sort(attribute='name')) }}
{%- endmacro %}

{#- The incremental marts of `schema` this run builds. -#}
{% macro incremental_marts_to_build(schema) -%}
    {%- set found = [] -%}
    {%- for node in argo.mart_models(schema) if node.config.materialized == 'incremental'
        and node.unique_id in selected_resources -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#
    What the last runs that built them recorded of the models, seeds and snapshots the
    warehouse holds (`deployed` rows): '<schema> <unique id>' -> digest (argo.node_digest).
#}
{% macro deployed_nodes() -%}
    {%- set found = run_query(argo.deployed_nodes_sql()) -%}
    {%- set deployed = {} -%}
    {%- for row in found.rows -%}
        {%- do deployed.update({row[0] ~ ' ' ~ row[1]: row[2]}) -%}
    {%- endfor -%}
    {{ return(deployed) }}
{%- endmacro %}

{#- The query of argo.deployed_nodes. -#}
{% macro deployed_nodes_sql() -%}
    select schema_name, node, fingerprint
    from (
        select
            schema_name, node, fingerprint,
            row_number() over (
                partition by schema_name, node order by run_started_at desc
            ) as recency
        from {{ argo.marts_state_relation() }}
        where event = 'deployed'
    ) as deployed
    where recency = 1
{%- endmacro %}

{#
    on-run-start. Refuses to build into the schema readers see; then, for each incremental
    mart this run builds, compares the fingerprint of its inputs with the one its last
    build in this schema recorded: a mart whose inputs changed, whose last build did not
    finish or that has no record is dropped, so that dbt builds it in full (one line in
    the log says why). Records the run's `started` rows.
#}
{% macro marts_before_build() -%}
    {%- if not execute or flags.WHICH not in argo.marts_building_commands() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schema = argo.marts_build_schema() -%}
    {%- set other = 'marts__green' if schema == 'marts__blue' else 'marts__blue' -%}
    {%- if schema == 'marts' -%}
        {{ exceptions.raise_compiler_error(
            "dbt " ~ flags.WHICH ~ " would build the marts into `marts`, the schema readers "
            ~ "read. What to do: set ARGO_MARTS_SCHEMA to marts__blue or marts__green (the "
            ~ "one not published), or run `argo transform`, which chooses it"
        ) }}
    {%- endif -%}
    {%- do argo.ensure_marts_state() -%}
    {%- set published = argo.published_marts() -%}
    {%- if published is not none and published['schema_name'] == schema -%}
        {{ exceptions.raise_compiler_error(
            "readers see the marts of " ~ schema ~ " (published by the dbt run started "
            ~ published['run_started_at'] ~ "): building into it would change them under "
            ~ "their feet, nothing was built. What to do: build into the other schema, "
            ~ "`ARGO_MARTS_SCHEMA=" ~ other ~ " dbt " ~ flags.WHICH ~ "`, or run `argo "
            ~ "transform`, which chooses it"
        ) }}
    {%- endif -%}
    {%- set marts = argo.incremental_marts_to_build(schema) -%}
    {%- if not marts -%}
        {{ return('') }}
    {%- endif -%}
    {%- set previous = argo.previous_mart_builds(schema) -%}
    {%- set deployed = argo.deployed_nodes() -%}
    {%- set digests = {} -%}
    {%- set rows = [] -%}
    {%- for node in marts -%}
        {%- set inputs = argo.mart_inputs(node.unique_id, deployed, digests) -%}
        {%- set fingerprint = argo.inputs_fingerprint(inputs) -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set before = previous.get(node.unique_id) -%}
        {%- set reason = none -%}
        {%- set since = none -%}
        {%- set note = none -%}
        {%- if flags.FULL_REFRESH or node.config.full_refresh -%}
            {%- set note = 'built in full: --full-refresh' -%}
        {%- elif before is none and relation is none -%}
            {%- set note = 'built in full: first build in ' ~ schema -%}
        {%- elif before is none -%}
            {%- set reason = 'no record of how its history was built' -%}
        {%- elif not before['finished'] -%}
            {%- set reason = 'its last build here (the dbt run started ' ~ before['run_started_at']
                ~ ') failed or did not finish' -%}
        {%- elif relation is none -%}
            {%- set reason = 'its table is gone' -%}
        {%- elif before['fingerprint'] != fingerprint -%}
            {%- set reason = argo.describe_input_changes(fromjson(before['inputs']), inputs) -%}
        {%- else -%}
            {%- set since = before['started_at_epoch'] | string -%}
            {%- set note = 'continued from its build started ' ~ before['run_started_at'] -%}
        {%- endif -%}
        {%- if reason -%}
            {%- do log(
                "argo: rebuilding " ~ schema ~ "." ~ node.alias ~ " in full: " ~ reason, info=true
            ) -%}
            {%- if relation is not none -%}
                {%- do adapter.dispatch('drop_mart', 'argo')(relation) -%}
            {%- endif -%}
            {%- set note = 'built in full: ' ~ reason -%}
        {%- endif -%}
        {%- do rows.append(argo.marts_state_row(1, 'started', schema, {
            'node': node.unique_id,
            'fingerprint': fingerprint,
            'inputs': tojson(inputs, sort_keys=true),
            'started_at_epoch': '%.6f' | format(run_started_at.timestamp()),
            'loads_since_epoch': since,
            'note': note,
        })) -%}
    {%- endfor -%}
    {%- set window = argo.tests_window_row(schema, rows, deployed, digests) -%}
    {%- set continued = [] -%}
    {%- for row in rows if row['loads_since_epoch'] is not none -%}
        {%- do continued.append(row['node']) -%}
    {%- endfor -%}
    {%- if window is not none -%}
        {%- do rows.append(window) -%}
    {%- endif -%}
    {#- A run that narrows data tests to windows: those not yet passed on every day check all. -#}
    {%- set unverified = none -%}
    {%- if continued or window is not none -%}
        {%- set unverified = argo.tests_unverified_row(schema) -%}
    {%- endif -%}
    {%- if unverified is not none -%}
        {%- do rows.append(unverified) -%}
    {%- endif -%}
    {%- do run_query(argo.marts_state_insert_sql(rows)) -%}
    {%- do adapter.commit() -%}
    {{ return('') }}
{%- endmacro %}

{#
    The days the data tests of the daily staging and intermediate models check in this
    run (argo.loaded_days_predicate): a `tests_window` row with `inputs` {"start": <day>},
    or none (they check every day). Only a run that continues every incremental mart it
    builds from that mart's last finished build here (`started` rows with a
    `loads_since_epoch`), and in which no staging or intermediate model is defined
    otherwise than when it was last built, gets one. The start is the marts' window's,
    with ARGO's today for the newest day:

        min(today - lookback_days, earliest day loaded since the earliest of those builds)

    Rows older than that were in the warehouse, as they are now, when the build that
    started then tested them (DECISIONLOG, 55).
#}
{% macro tests_window_row(schema, started, deployed, digests) -%}
    {%- set sinces = [] -%}
    {%- for row in started -%}
        {%- if row['loads_since_epoch'] is none -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do sinces.append(row['loads_since_epoch'] | float) -%}
    {%- endfor -%}
    {%- if not sinces -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and ('staging' in node.fqn or 'intermediate' in node.fqn) -%}
        {%- if node.unique_id not in digests -%}
            {%- do digests.update({node.unique_id: argo.node_digest(node.unique_id)}) -%}
        {%- endif -%}
        {%- if deployed.get(node.schema ~ ' ' ~ node.unique_id) != digests[node.unique_id].digest -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do tested.append(node.unique_id) -%}
    {%- endfor -%}
    {%- set since = '%.6f' | format(sinces | min) -%}
    {%- set loaded_sql = argo.earliest_day_loaded_into(tested, since) -%}
    {%- set loaded = run_query('select (' ~ loaded_sql ~ ') as loaded_day').rows[0][0]
        if loaded_sql else none -%}
    {%- set today = argo.argo_today() -%}
    {%- set start = argo.lookback_window_start(
        today, today, var('argo__mart_lookback_days'), loaded
    ) -%}
    {%- set day = (start | string)[:10] -%}
    {{ return(argo.marts_state_row(1, 'tests_window', schema, {
        'node': 'data_tests',
        'inputs': tojson({'start': day}, sort_keys=true),
        'loads_since_epoch': since,
        'note': 'data tests of daily staging and intermediate models check from ' ~ day,
    })) }}
{%- endmacro %}

{#- Drops an incremental mart so that dbt builds it in full (and forgets it is cached). -#}
{% macro default__drop_mart(relation) -%}
    {%- do adapter.drop_relation(relation) -%}
{%- endmacro %}

{#- Athena: through Glue and S3, as dbt-athena drops a table (no node config in a hook). -#}
{% macro athena__drop_mart(relation) -%}
    {%- do drop_relation_glue(relation) -%}
    {%- do adapter.cache_dropped(relation) -%}
{%- endmacro %}

{#
    on-run-end. Records what the run built: every model, seed and snapshot as the project
    defines it now (`deployed`), and the incremental marts it finished (`built`; a run
    that failed finishes none, so their next build is in full). Publishes the run's schema when the run was a `dbt build` of every mart, of
    everything they are built from and of every test on those, and nothing failed.
    Otherwise says, in one line, why the marts readers see did not change.
#}
{% macro marts_after_build(results) -%}
    {%- if not execute or flags.WHICH not in argo.marts_building_commands() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schema = argo.marts_build_schema() -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- if schema == 'marts'
        or adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set outcome = {} -%}
    {%- set problems = [] -%}
    {%- set skipped = [] -%}
    {%- for result in results -%}
        {%- set status = result.status | string -%}
        {%- do outcome.update({result.node.unique_id: status}) -%}
        {%- if status in ('error', 'fail', 'runtime error') -%}
            {%- do problems.append(result.node.unique_id ~ ' (' ~ status ~ ')') -%}
        {%- elif status == 'skipped' -%}
            {%- do skipped.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if skipped -%}
        {%- do problems.append((skipped | length) ~ ' skipped') -%}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for result in results if (result.status | string) == 'success'
        and result.node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- do rows.append(argo.marts_state_row(2, 'deployed', result.node.schema, {
            'node': result.node.unique_id,
            'fingerprint': argo.node_digest(result.node.unique_id).digest,
        })) -%}
    {%- endfor -%}
    {%- if flags.WHICH in ('build', 'retry') or rows -%}
        {%- do rows.append(argo.tests_verified_row(schema, results)) -%}
    {%- endif -%}
    {%- for node in argo.incremental_marts_to_build(schema) -%}
        {%- if not problems and outcome.get(node.unique_id) == 'success' -%}
            {%- do rows.append(argo.marts_state_row(2, 'built', schema, {'node': node.unique_id})) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set marts = argo.published_mart_models(schema) -%}
    {%- set published = argo.published_marts() -%}
    {%- set seen = 'nothing yet' if published is none else published['schema_name']
        ~ ' (the dbt run started ' ~ published['run_started_at'] ~ ')' -%}
    {%- set why = none -%}
    {%- if flags.WHICH != 'build' -%}
        {%- set why = '`dbt ' ~ flags.WHICH ~ '` runs no tests' -%}
    {%- elif problems -%}
        {%- set why = 'it failed: ' ~ (problems[:5] | join(', '))
            ~ (', ...' if problems | length > 5 else '') -%}
    {%- else -%}
        {%- set missing = argo.left_out_of_publish(marts) -%}
        {%- if missing -%}
            {%- set why = 'the selection left out ' ~ (missing | length) ~ ' nodes the marts '
                ~ 'need built or tested, e.g. ' ~ (missing[:3] | join(', ')) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if why is none -%}
        {%- do rows.append(argo.marts_state_row(3, 'published', schema)) -%}
        {%- do adapter.dispatch('publish_marts', 'argo')(schema, marts, rows) -%}
        {%- do log(
            "argo: published " ~ schema ~ ": readers of `marts` now see the " ~ (marts | length)
            ~ " marts this run built and tested", info=true
        ) -%}
    {%- else -%}
        {%- if rows -%}
            {%- do run_query(argo.marts_state_insert_sql(rows)) -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
        {%- do log(
            "argo: not published, readers of `marts` still see " ~ seen ~ ": this run built "
            ~ "into " ~ schema ~ ", but " ~ why ~ ". " ~ (
                "Fix what failed and run `argo transform` again" if problems
                else "`argo transform` publishes a build of the day's changes itself, once "
                ~ "every node it selected passed; `argo transform --all` builds and publishes "
                ~ "everything"
            ), info=true
        ) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#
    The nodes a publish needs built (or run, for tests) by this run that it left out: every
    model and seed upstream of the marts, and every data test on any of them.
#}
{% macro left_out_of_publish(marts) -%}
    {%- set needed = [] -%}
    {%- for mart in marts -%}
        {%- for uid in argo.upstream_nodes(mart.unique_id) if uid not in needed -%}
            {%- do needed.append(uid) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for uid in needed if uid in graph.nodes and uid not in selected_resources
        and graph.nodes[uid].resource_type in ('model', 'seed', 'snapshot') -%}
        {%- do missing.append(uid) -%}
    {%- endfor -%}
    {#- A test of a switched-off model (e.g. a relationship from a disabled platform's
        staging model to a seed) stays in the graph, disabled, and never runs. -#}
    {%- for node in graph.nodes.values() if node.resource_type == 'test'
        and node.config.enabled and node.unique_id not in selected_resources -%}
        {%- for parent in node.depends_on.nodes if parent in needed -%}
            {%- if loop.first -%}
                {%- do missing.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(missing) }}
{%- endmacro %}

{#
    `dbt run-operation print_last_build_into --args '{schema: marts__blue}'`: logs
    `last build into: <invocation id>` (or `none`), the last dbt run that built into
    `schema`. `argo transform` reads it on Athena to tell whether the schema still is what
    its saved dbt state describes (argo/transform.py, build_changed).
#}
{% macro print_last_build_into(schema) -%}
    {%- set state = argo.marts_state_relation() -%}
    {%- set found = none -%}
    {%- if adapter.get_relation(state.database, state.schema, state.identifier) is not none -%}
        {%- set found = run_query(argo.last_build_into_sql(schema)) -%}
    {%- endif -%}
    {%- do log(
        'last build into: ' ~ (found.rows[0][0] if found and found.rows else 'none'), info=true
    ) -%}
{%- endmacro %}

{#- The query of argo.print_last_build_into. -#}
{% macro last_build_into_sql(schema) -%}
    select invocation_id
    from {{ argo.marts_state_relation() }}
    where schema_name = '{{ schema }}' and event in ('started', 'deployed', 'built')
    order by run_started_at desc
    limit 1
{%- endmacro %}
