{#
    What an incremental mart's history is computed from, so that a change to it rebuilds
    the mart in full instead of leaving old days computed the old way (DECISIONLOG, 37).

    The inputs of a mart are the mart itself and every model, seed and snapshot upstream
    of it, each as a digest (argo.node_digest) of:
    - the checksum of its SQL file (a seed's: its CSV, i.e. its content, and its column
      types);
    - the raw relations of the sources it reads (a raw dataset's name is a var);
    - the source of every macro it calls, and of every macro those call (ours and dbt's,
      the engine's dispatched ones included);
    - the value of every var named in it and in those macros, but
      `argo__mart_lookback_days`, which decides only how many days a run recomputes.
      Vars that switch models on and off change the graph itself;
    - for a source table whose `meta.argo_history_data` names columns (the plan's
      advertisers and account mapping read from the Google Sheet): a digest of those
      columns' values in the raw table now, because that content is data, not project
      code, and the marts store it (re-mapping an account must re-label every day, not
      the window's only). Raw tables are loaded before a build, so the digest a build
      records is that of what it read.
    A node this run builds counts as the project defines it now; one it does not build
    (`--select`, or a seed under `dbt run`) counts as the run that last built it recorded
    it (macros/marts_builds.sql), because that is what the warehouse holds.
    The fingerprint is the MD5 of their JSON. Descriptions, tests and other YAML do not
    change it.
#}

{#-
    Every node and source upstream of `unique_id`, and `unique_id` itself. A parent a
    model names in its `meta.argo_runs_after` is not one: that edge only orders two builds
    (argo.runs_after), the model does not read it.
-#}
{% macro upstream_nodes(unique_id) -%}
    {%- set found = [unique_id] -%}
    {#- Jinja's for visits what is appended while it runs: a breadth-first walk. -#}
    {%- for uid in found -%}
        {%- set node = graph.nodes.get(uid) -%}
        {%- if node -%}
            {%- set order_only = argo.order_only_parents(node) -%}
            {%- for parent in node.depends_on.nodes if parent not in found
                and parent not in order_only -%}
                {%- do found.append(parent) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#
    The digest of one model, seed or snapshot as the project defines it now: its file's
    checksum (a seed's: its CSV, with its column types), the raw relations of the sources
    it reads, the source of every macro it calls (and they call), and the values of the
    vars named in it and in those macros. Returns {'digest', 'checksum', 'vars'}.
#}
{% macro node_digest(unique_id) -%}
    {%- set node = graph.nodes[unique_id] -%}
    {%- set parts = {'checksum': node.checksum.checksum, 'sources': [], 'macros': {}, 'vars': {}} -%}
    {%- if node.resource_type == 'seed' -%}
        {%- do parts.update({'column_types': node.config.column_types or {}}) -%}
    {%- endif -%}
    {%- for parent in node.depends_on.nodes if parent in graph.sources -%}
        {%- set source = graph.sources[parent] -%}
        {%- do parts.sources.append(source.schema ~ '.' ~ source.identifier) -%}
        {%- set data_columns = argo.history_data_columns(source) -%}
        {%- if data_columns and execute -%}
            {%- do parts.update({'data': (parts.get('data', '') ~ ' ' ~ parent ~ ':'
                ~ argo.relation_content_digest(source, data_columns))}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set texts = [node.raw_code or ''] -%}
    {%- for macro_id, found in argo.macro_closure(node.depends_on.macros, {}).items() -%}
        {%- do parts.macros.update({macro_id: found.md5}) -%}
        {%- do texts.append(found.sql) -%}
    {%- endfor -%}
    {%- for text in texts -%}
        {%- for name in modules.re.findall("\\bvar\\(\\s*['\"]([A-Za-z0-9_]+)['\"]", text)
            if name not in argo.vars_outside_history() -%}
            {%- do parts.vars.update({name: var(name, none)}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return({
        'digest': 'md5:' ~ local_md5(tojson(parts, sort_keys=true)),
        'checksum': node.checksum.checksum,
        'vars': parts.vars,
    }) }}
{%- endmacro %}

{#
    The inputs of the incremental mart `unique_id`: {'nodes': {unique id: [digest,
    checksum]}, 'vars': {name: value}} over it and every model, seed and snapshot
    upstream of it. A node this run builds counts as the project defines it now; one it
    does not build, as the last run that built it recorded it (`deployed`: (schema,
    unique id) -> digest; 'unknown' if none did), since that is what the warehouse holds.
    `digests` keeps the nodes' digests between calls of one run.
#}
{% macro mart_inputs(unique_id, deployed, digests={}) -%}
    {%- set inputs = {'nodes': {}, 'vars': {}} -%}
    {%- for uid in argo.upstream_nodes(unique_id) if uid in graph.nodes
        and graph.nodes[uid].resource_type in ('model', 'seed', 'snapshot') -%}
        {%- set node = graph.nodes[uid] -%}
        {%- if uid not in digests -%}
            {%- do digests.update({uid: argo.node_digest(uid)}) -%}
        {%- endif -%}
        {%- set now = digests[uid] -%}
        {%- if uid in selected_resources -%}
            {%- set digest = now.digest -%}
        {%- else -%}
            {%- set digest = deployed.get(node.schema ~ ' ' ~ uid, 'unknown') -%}
        {%- endif -%}
        {%- do inputs.nodes.update({uid: [digest, now.checksum]}) -%}
        {%- do inputs.vars.update(now.vars) -%}
    {%- endfor -%}
    {{ return(inputs) }}
{%- endmacro %}

{#- Vars that change how much a run recomputes, never what a day holds. -#}
{% macro vars_outside_history() -%}
    {{ return(['argo__mart_lookback_days']) }}
{%- endmacro %}

{#
    The macros `macro_ids` and every macro they call (and those call), by id -> {'md5':
    MD5 of its source ('unknown' for one the manifest does not hold), 'sql': its source}.
    `known` keeps each macro's between calls (pass the same dict to share it).
#}
{% macro macro_closure(macro_ids, known) -%}
    {%- set found = macro_ids | list -%}
    {%- set closure = {} -%}
    {#- Jinja's for visits what is appended while it runs: the macros they call too. -#}
    {%- for macro_id in found -%}
        {%- if macro_id not in known -%}
            {%- set macro = argo.macro_by_id(macro_id) -%}
            {%- do known.update({macro_id: {
                'md5': 'unknown' if macro is none else local_md5(macro.macro_sql),
                'sql': '' if macro is none else macro.macro_sql,
                'calls': [] if macro is none else macro.depends_on.macros | list,
            }}) -%}
        {%- endif -%}
        {%- do closure.update({macro_id: known[macro_id]}) -%}
        {%- for other in known[macro_id].calls if other not in found -%}
            {%- do found.append(other) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(closure) }}
{%- endmacro %}

{#- A macro of the manifest by unique id (`macro.<package>.<name>`), or none. -#}
{% macro macro_by_id(macro_id) -%}
    {%- set parts = macro_id.split('.') -%}
    {%- set namespace = argo if parts[1] == 'argo' else dbt -%}
    {%- set found = namespace.get(parts[2]) -%}
    {%- if found is none or found.macro is not defined or found.macro.unique_id != macro_id -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(found.macro) }}
{%- endmacro %}

{#- The fingerprint of a mart's inputs: `md5:` and the MD5 of their JSON. -#}
{% macro inputs_fingerprint(inputs) -%}
    {{ return('md5:' ~ local_md5(tojson(inputs, sort_keys=true))) }}
{%- endmacro %}

{#
    What changed between two inputs (dicts of argo.mart_inputs), in words: "var
    reporting_currency changed ("KRW" -> "USD"); seed ad_conversion_types changed". A
    node is named when its file changed, or when it changed otherwise and no var did.
#}
{% macro describe_input_changes(before, after) -%}
    {%- set changes = [] -%}
    {%- set before_vars, after_vars = before.get('vars', {}), after.get('vars', {}) -%}
    {%- for name in ((before_vars.keys() | list) + (after_vars.keys() | list)) | unique | sort -%}
        {%- if name not in before_vars -%}
            {%- do changes.append('var ' ~ name ~ ' now used') -%}
        {%- elif name not in after_vars -%}
            {%- do changes.append('var ' ~ name ~ ' no longer used') -%}
        {%- elif before_vars[name] != after_vars[name] -%}
            {%- do changes.append(
                'var ' ~ name ~ ' changed (' ~ tojson(before_vars[name]) ~ ' -> '
                ~ tojson(after_vars[name]) ~ ')'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set vars_changed = changes | length > 0 -%}
    {%- set old, new = before.get('nodes', {}), after.get('nodes', {}) -%}
    {%- for uid in ((old.keys() | list) + (new.keys() | list)) | unique | sort -%}
        {%- set parts = uid.split('.') -%}
        {%- set what = parts[0] ~ ' ' ~ (parts[2:] | join('.')) -%}
        {%- if uid not in old -%}
            {%- do changes.append(what ~ ' added') -%}
        {%- elif uid not in new -%}
            {%- do changes.append(what ~ ' removed') -%}
        {%- elif new[uid][0] == 'unknown' and old[uid][0] != 'unknown' -%}
            {%- do changes.append(what ~ ' not built by a recorded run') -%}
        {%- elif old[uid][1] != new[uid][1] -%}
            {%- do changes.append(what ~ ' changed') -%}
        {%- elif old[uid][0] != new[uid][0] and not vars_changed -%}
            {%- set node = graph.nodes.get(uid) -%}
            {%- if node and argo.reads_history_data(node) -%}
                {%- do changes.append(what ~ ' (its data) or a macro it calls changed') -%}
            {%- else -%}
                {%- do changes.append(what ~ ' or a macro it calls changed') -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not changes -%}
        {{ return('its inputs changed') }}
    {%- endif -%}
    {%- set shown = changes[:6] -%}
    {%- if changes | length > 6 -%}
        {%- do shown.append('and ' ~ ((changes | length) - 6) ~ ' more') -%}
    {%- endif -%}
    {{ return(shown | join('; ')) }}
{%- endmacro %}

{#- The columns a source table's `meta.argo_history_data` names (none: []). -#}
{% macro history_data_columns(source) -%}
    {%- set meta = source.meta or {} -%}
    {%- if not meta.get('argo_history_data') and source.config is defined -%}
        {%- set meta = source.config.meta or {} -%}
    {%- endif -%}
    {{ return(meta.get('argo_history_data') or []) }}
{%- endmacro %}

{#- Whether `node` reads a source table whose data is a history input. -#}
{% macro reads_history_data(node) -%}
    {%- for parent in node.depends_on.nodes if parent in graph.sources
        and argo.history_data_columns(graph.sources[parent]) -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{#
    A digest of the values of `columns` in the raw table of `source` as the warehouse
    holds it now ('absent' when it has none), for node_digest.
#}
{% macro relation_content_digest(source, columns) -%}
    {%- set relation = adapter.get_relation(
        database=source.database, schema=source.schema, identifier=source.identifier
    ) -%}
    {%- if relation is none -%}
        {{ return('absent') }}
    {%- endif -%}
    {%- set found = run_query(argo.content_digest_sql(relation, columns)) -%}
    {{ return(found.rows[0][0] or 'empty') }}
{%- endmacro %}

{#- SQL: one MD5 over the rows of `columns` in `relation`, in a fixed order (dispatched). -#}
{% macro content_digest_sql(relation, columns) -%}
    {{ return(adapter.dispatch('content_digest_sql', 'argo')(relation, columns)) }}
{%- endmacro %}

{% macro default__content_digest_sql(relation, columns) -%}
    {%- set row -%}
        concat_ws('|', {% for c in columns %}coalesce(cast({{ c }} as varchar), ''){{ ', ' if not loop.last }}{% endfor %})
    {%- endset -%}
    select md5(string_agg({{ row }}, chr(10) order by {{ row }})) from {{ relation }}
{%- endmacro %}

{% macro athena__content_digest_sql(relation, columns) -%}
    {%- set row -%}
        concat_ws('|', {% for c in columns %}coalesce(cast({{ c }} as varchar), ''){{ ', ' if not loop.last }}{% endfor %})
    {%- endset -%}
    select to_hex(md5(to_utf8(array_join(array_agg({{ row }} order by {{ row }}), chr(10)))))
    from {{ relation }}
{%- endmacro %}
