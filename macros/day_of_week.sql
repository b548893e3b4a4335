{#
    The ISO day of the week of a date: 1 Monday ... 7 Sunday. DuckDB (and the default)
    extract `isodow`; Athena (Trino) has day_of_week(), which is ISO already.
#}
{% macro day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('day_of_week', 'argo')(date_expression)) }}
{%- endmacro %}

{% macro default__day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro athena__day_of_week(date_expression) -%}
    day_of_week({{ date_expression }})
{%- endmacro %}

{#- The English name of the day of the week, the same on every engine. -#}
{% macro day_name(date_expression) -%}
    case {{ argo.day_of_week(date_expression) }}
        when 1 then 'Monday'
        when 2 then 'Tuesday'
        when 3 then 'Wednesday'
        when 4 then 'Thursday'
        when 5 then 'Friday'
        when 6 then 'Saturday'
        else 'Sunday'
    end
{%- endmacro %}
