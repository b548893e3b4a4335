{#
    What an incremental mart's history is computed from, so that a change to it rebuilds
    the mart in full instead of leaving old days computed the old way (DECISIONLOG, 36).

    The inputs of a mart are read from dbt's graph when a run starts:
    - `nodes`: the checksum of the SQL file of the mart and of every model upstream of it,
      and of every seed's CSV (a seed's content) with its column types;
    - `sources`: the raw relation each upstream source reads (its dataset is a var);
    - `macros`: a digest of the source of every macro those nodes call, and of every
      macro those macros call (ours and dbt's, the engine's dispatched ones included);
    - `vars`: the value of every var named in those models and macros, except
      `argo__mart_lookback_days`, which decides only how many days a run recomputes.
      Vars that switch models on and off change the graph itself.
    Its fingerprint is the MD5 of their JSON. Descriptions, tests and other YAML do not
    change a fingerprint.
#}

{#- Every node and source upstream of `unique_id`, and `unique_id` itself. -#}
{% macro upstream_nodes(unique_id) -%}
    {%- set found = [unique_id] -%}
    {#- Jinja's for visits what is appended while it runs: a breadth-first walk. -#}
    {%- for uid in found -%}
        {%- set node = graph.nodes.get(uid) -%}
        {%- if node -%}
            {%- for parent in node.depends_on.nodes if parent not in found -%}
                {%- do found.append(parent) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The inputs of the incremental mart `unique_id` (a dict, see above). -#}
{% macro mart_inputs(unique_id) -%}
    {%- set inputs = {'nodes': {}, 'sources': {}, 'macros': {}, 'vars': {}} -%}
    {%- set texts = [] -%}
    {%- set macro_ids = [] -%}
    {%- for uid in argo.upstream_nodes(unique_id) -%}
        {%- if uid in graph.sources -%}
            {%- set source = graph.sources[uid] -%}
            {%- do inputs.sources.update({uid: source.schema ~ '.' ~ source.identifier}) -%}
        {%- elif uid in graph.nodes -%}
            {%- set node = graph.nodes[uid] -%}
            {%- set entry = node.checksum.checksum -%}
            {%- if node.resource_type == 'seed' -%}
                {%- set entry = entry ~ tojson(node.config.column_types or {}, sort_keys=true) -%}
            {%- endif -%}
            {%- do inputs.nodes.update({uid: entry}) -%}
            {%- do texts.append(node.raw_code or '') -%}
            {%- for macro_id in node.depends_on.macros if macro_id not in macro_ids -%}
                {%- do macro_ids.append(macro_id) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for macro_id in macro_ids -%}
        {%- set macro = argo.macro_by_id(macro_id) -%}
        {%- if macro is none -%}
            {%- do inputs.macros.update({macro_id: 'unknown'}) -%}
        {%- else -%}
            {%- do inputs.macros.update({macro_id: local_md5(macro.macro_sql)}) -%}
            {%- do texts.append(macro.macro_sql) -%}
            {%- for called in macro.depends_on.macros if called not in macro_ids -%}
                {%- do macro_ids.append(called) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set var_names = [] -%}
    {%- for text in texts -%}
        {%- for name in modules.re.findall("\\bvar\\(\\s*['\"]([A-Za-z0-9_]+)['\"]", text) -%}
            {%- if name not in var_names and name not in argo.vars_outside_history() -%}
                {%- do var_names.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for name in var_names | sort -%}
        {%- do inputs.vars.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {{ return(inputs) }}
{%- endmacro %}

{#- Vars that change how much a run recomputes, never what a day holds. -#}
{% macro vars_outside_history() -%}
    {{ return(['argo__mart_lookback_days']) }}
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
    reporting_currency changed ("KRW" -> "USD"); seed ad_conversion_types changed".
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
    {%- for kind in ['nodes', 'sources', 'macros'] -%}
        {%- set old, new = before.get(kind, {}), after.get(kind, {}) -%}
        {%- for uid in ((old.keys() | list) + (new.keys() | list)) | unique | sort -%}
            {%- set parts = uid.split('.') -%}
            {%- set what = parts[0] ~ ' ' ~ (parts[2:] | join('.')) -%}
            {%- if uid not in old -%}
                {%- do changes.append(what ~ ' added') -%}
            {%- elif uid not in new -%}
                {%- do changes.append(what ~ ' removed') -%}
            {%- elif old[uid] != new[uid] -%}
                {%- do changes.append(what ~ ' changed') -%}
            {%- endif -%}
        {%- endfor -%}
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
