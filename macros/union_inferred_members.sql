{#
    A platform's listed objects and its inferred members (`only_in_performance`: objects
    the performance rows name but the listing lacks) in one relation, flagged
    `is_inferred_from_performance`. `shared_columns` are read from both as they are (the
    keys, and whatever the performance rows tell of the object, e.g. its parent);
    `attributes` ({column: data type}) only the listing knows: null on inferred rows.
    An inferred member is never active (`is_active` false). `listing` and `inferred` are
    relations or CTE names.
#}
{% macro union_inferred_members(listing, inferred, shared_columns, attributes) -%}
    select
        {% for column in shared_columns -%}
            {{ column }},
        {% endfor -%}
        {% for column in attributes -%}
            {{ column }},
        {% endfor -%}
        is_active,
        false as is_inferred_from_performance

    from {{ listing }}

    union all

    select
        {% for column in shared_columns -%}
            {{ column }},
        {% endfor -%}
        {% for column, data_type in attributes.items() -%}
            cast(null as {{ data_type }}) as {{ column }},
        {% endfor -%}
        false as is_active,
        true as is_inferred_from_performance

    from {{ inferred }}
{%- endmacro %}
