{#
    Schemas are named exactly as configured (`staging`, `intermediate`, `marts`, `seeds`),
    not `<target schema>_<custom schema>` as dbt's default does; a node with no custom
    schema goes to the target's schema. dbt calls this macro on every adapter, so DuckDB
    and Athena (where a schema is a Glue database) get the same names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
