{#
    Kimball's inferred members: the objects the performance rows name but the platform's
    listing lacks (never listed, or no longer), so that every performance row keeps its
    dimension row. One row per source_relation, account_id and `id_column` of
    `performance` with no row in `listing` (rows with a null id name no object), with,
    for each of `parent_columns`, the parent the performance rows give it (the largest,
    should they disagree). `performance` and `listing` are relations or CTE names; both
    have account_id and `id_column`.
#}
{% macro only_in_performance(performance, listing, id_column, parent_columns=[]) -%}
    select
        performance.source_relation,
        performance.account_id,
        performance.{{ id_column }}
        {%- for column in parent_columns %},
        max(performance.{{ column }}) as {{ column }}
        {%- endfor %}

    from {{ performance }} as performance
    left join {{ listing }} as listing
        on
            performance.account_id = listing.account_id
            and performance.{{ id_column }} = listing.{{ id_column }}
    where
        performance.{{ id_column }} is not null
        and listing.{{ id_column }} is null
    group by 1, 2, 3
{%- endmacro %}
