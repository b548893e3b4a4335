{#
    Text of a number for the anomalies' reason sentences, the same on every engine: a
    double cast to text reads `1.5E0` on Athena and `1.5` on DuckDB, so numbers are
    rounded into a bigint or a decimal first.
#}
{% macro anomalies_format_number(expression, decimals=0) -%}
    {%- if decimals == 0 -%}
        cast(cast(round({{ expression }}) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
    {%- else -%}
        cast(
            cast(round({{ expression }}, {{ decimals }}) as decimal(38, {{ decimals }}))
            as {{ dbt.type_string() }}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    A metric's value as a person reads it: money in the reporting currency, counts whole,
    CTR and the install gap in per cent, ROAS with two decimals.
-#}
{% macro anomalies_format_metric(metric_column, expression) -%}
    case
        when {{ metric_column }} in ('spend', 'cpc', 'cpa')
            then {{ argo.anomalies_format_number(expression) }} || ' {{ var("reporting_currency") }}'
        when {{ metric_column }} in ('ctr', 'install_gap')
            then {{ argo.anomalies_format_number('100 * ' ~ expression, 2) }} || '%'
        when {{ metric_column }} = 'roas'
            then {{ argo.anomalies_format_number(expression, 2) }}
        else {{ argo.anomalies_format_number(expression) }}
    end
{%- endmacro %}
