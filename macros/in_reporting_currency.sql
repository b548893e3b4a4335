{#
    An amount converted into var('reporting_currency') at `rate` (a column of
    int_exchange_rates_to_reporting), rounded to 0.0001 as ARGO's money columns are.
    Null when the rate is missing: the marts' not_null test on exchange_rate then fails,
    never a silent 1.0.
#}
{% macro in_reporting_currency(amount, rate) -%}
    cast(round({{ amount }} * {{ rate }}, 4) as {{ dbt.type_numeric() }})
{%- endmacro %}
