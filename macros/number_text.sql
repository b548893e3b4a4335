{#
    A number as text, rounded, with `digits` digits after the point (none when 0), the same on DuckDB
    and Athena: Trino casts a double to varchar in scientific notation ('1.5E0') and DuckDB
    does not, so the text is assembled from integers, which both print alike. Null stays null.
    Used in the automation marts' sentences (`reason`, `evidence`).
#}
{% macro number_text(expr, digits=0) -%}
    {%- set scale = 10 ** digits -%}
    {%- set scaled = 'cast(round(abs(cast(' ~ expr ~ ' as ' ~ argo.type_double() ~ ')) * ' ~ scale ~ ', 0) as ' ~ dbt.type_bigint() ~ ')' -%}
    (
        case when cast({{ expr }} as {{ argo.type_double() }}) < 0 then '-' else '' end
        || cast(cast(floor({{ scaled }} / {{ scale }}) as {{ dbt.type_bigint() }}) as varchar)
        {%- if digits > 0 %}
        || '.' || lpad(cast({{ scaled }} % {{ scale }} as varchar), {{ digits }}, '0')
        {%- endif %}
    )
{%- endmacro %}
