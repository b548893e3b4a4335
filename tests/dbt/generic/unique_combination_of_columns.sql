{#
    The grain test: no two rows share the values of `combination_of_columns`.
    Returns one row per duplicated combination, with how many rows share it.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {% for column in combination_of_columns -%}
        {{ column }},
    {% endfor -%}
    count(*) as duplicate_rows
from {{ model }}
group by
    {% for column in combination_of_columns -%}
        {{ column }}{{ "," if not loop.last }}
    {% endfor -%}
having count(*) > 1

{% endtest %}
