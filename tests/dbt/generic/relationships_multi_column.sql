{#
    `relationships` on a composite key: every row of `model` whose `columns` are all
    non-null has a row in `to` with the same values in the same-named columns.
    Returns the child rows' keys that have no parent.
#}
{% test relationships_multi_column(model, to, columns) %}

with

child as (
    select distinct
        {% for column in columns -%}
            {{ column }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ model }}
    where
        {% for column in columns -%}
            {{ column }} is not null{{ " and" if not loop.last }}
        {% endfor %}
),

parent as (
    select distinct
        {% for column in columns -%}
            {{ column }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ to }}
)

select child.*
from child
left join parent
    on
        {% for column in columns -%}
            child.{{ column }} = parent.{{ column }}{{ " and" if not loop.last }}
        {% endfor %}
where parent.{{ columns[0] }} is null

{% endtest %}
