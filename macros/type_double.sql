{#
    A 64-bit floating point type. dbt's `type_float()` renders `float`, which DuckDB reads
    as a 32-bit REAL (seven significant digits): too coarse for counts and ratios.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'argo')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double') }}
{%- endmacro %}
