{#
    A SQL condition: `column in ('a', 'b')` for a list of strings, or `1 = 0` (no row
    matches) when the list is empty, where `in ()` would be a syntax error.
#}
{% macro is_in_list(column, values) -%}
    {%- if values | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
        {%- for value in values -%}
            {{ dbt.string_literal(value) }}{{ ", " if not loop.last }}
        {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
