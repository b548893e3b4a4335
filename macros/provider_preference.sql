{#
    The place of a row's data provider (`column`) in `providers`, the providers in order
    of preference (a var such as weather__providers): 1 for the first, 2 for the next; a
    provider not listed comes after all of them. Orders rows so the preferred provider's
    comes first.
#}
{% macro provider_preference(providers, column='data_provider') -%}
    case {{ column }}
        {%- for provider in providers %}
            when '{{ provider }}' then {{ loop.index }}
        {%- endfor %}
            else {{ providers | length + 1 }}
        end
{%- endmacro %}
