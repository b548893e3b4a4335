{#
    An amount in a currency's minor units (cents for USD, won for KRW) in major units:
    amount / 10 ^ minor_unit_digits, as `type_numeric()`. Null when either input is null.
#}
{% macro minor_to_major_units(amount, minor_unit_digits) -%}
    {{ return(adapter.dispatch('minor_to_major_units', 'argo')(amount, minor_unit_digits)) }}
{%- endmacro %}

{% macro default__minor_to_major_units(amount, minor_unit_digits) -%}
    cast(
        cast({{ amount }} as {{ argo.type_double() }}) / power(10, {{ minor_unit_digits }})
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
