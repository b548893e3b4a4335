{#
    `{{ argo.runs_after('fct_metric_scores_daily') }}` in a model: on DuckDB, dbt starts the
    model only once that model is built, though the model does not read it (DECISIONLOG
    66). dbt's threads share one DuckDB process, its `memory_limit` and its spill
    directory, so two marts that each need most of the memory, built side by side, each
    get about half and spill several times as much to disk. On Athena each query has its
    own workers, and the two build side by side.

    The edge is a `ref` dbt sees when it parses the model, plus the model's
    `meta.argo_runs_after`, so that argo.upstream_nodes leaves it out: the other model is
    not an input of this one's history (its fingerprint), nor of its window.
#}
{% macro runs_after(model_name) -%}
    {%- do config(meta={'argo_runs_after': [model_name]}) -%}
    {#- A unit test of the model gets only the inputs it reads. -#}
    {%- set unit_test = model is mapping and model.get('resource_type') == 'unit_test' -%}
    {%- if target.type == 'duckdb' and not unit_test -%}
        {%- do ref(model_name) -%}
    {%- endif -%}
{%- endmacro %}

{#- The unique ids of the parents `node` lists in its `meta.argo_runs_after`. -#}
{% macro order_only_parents(node) -%}
    {%- set meta = node.config.get('meta') or {} -%}
    {%- set ids = [] -%}
    {%- for name in meta.get('argo_runs_after') or [] -%}
        {%- do ids.append('model.' ~ node.package_name ~ '.' ~ name) -%}
    {%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}
