{#
    numerator / denominator as a double, or null when the denominator is zero or null.
    Both sides are cast first: Trino divides integers as integers (clicks / impressions
    would be 0) and fails on division by zero, DuckDB returns null; this gives the same
    answer on both.
#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'argo')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (
        cast({{ numerator }} as {{ argo.type_double() }})
        / nullif(cast({{ denominator }} as {{ argo.type_double() }}), 0)
    )
{%- endmacro %}
