{#
    Schemas are named exactly as configured (`staging`, `intermediate`, `seeds`), not
    `<target schema>_<custom schema>` as dbt's default does; a node with no custom schema
    goes to the target's schema. dbt calls this macro on every adapter, so DuckDB and
    Athena (where a schema is a Glue database) get the same names.

    The marts are the exception (write, audit, publish: macros/publish_marts.sql and
    DECISIONLOG, 36): readers read the views of the schema `marts`, and dbt builds the
    mart tables into one of two physical schemas, `marts__blue` or `marts__green`, the one
    readers do not see. The environment variable ARGO_MARTS_SCHEMA names it; `argo
    transform` sets it, and sets it to `marts` for the commands that only read (docs,
    compile), so the docs site describes what readers see. Without it, `marts__blue`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ argo.marts_build_schema() }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#
    The schema the marts are built into: ARGO_MARTS_SCHEMA, `marts__blue` when unset. Read
    here, in the same file as generate_schema_name, so that dbt's partial parsing re-parses
    every node when it changes.
#}
{% macro marts_build_schema() -%}
    {%- set schema = (env_var('ARGO_MARTS_SCHEMA', '') | trim | lower) or 'marts__blue' -%}
    {%- if schema not in ('marts', 'marts__blue', 'marts__green') -%}
        {{ exceptions.raise_compiler_error(
            "ARGO_MARTS_SCHEMA=" ~ schema ~ " is not a schema ARGO builds the marts into: "
            ~ "use marts__blue or marts__green (or leave it unset and run `argo transform`, "
            ~ "which chooses)"
        ) }}
    {%- endif -%}
    {{ return(schema) }}
{%- endmacro %}
