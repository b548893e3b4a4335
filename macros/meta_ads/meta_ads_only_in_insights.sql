{#
    Meta's inferred members: the objects (`id_column`: campaigns, ad sets) the insights
    name but the `listing` lacks (Meta's edges leave deleted objects out, their delivery
    stays in the insights). One row per account and object, named (`name_column`) and
    parented (`parent_columns`) as its latest insights row has it: latest day, then
    latest load, then the first name. `insights` and `listing` are relations or CTE names.
#}
{% macro meta_ads_only_in_insights(insights, listing, id_column, name_column, parent_columns=[]) -%}
    select
        ranked.source_relation,
        ranked.account_id,
        {% for column in parent_columns -%}
            ranked.{{ column }},
        {% endfor -%}
        ranked.{{ id_column }},
        ranked.{{ name_column }}

    from (

        select
            source_relation,
            account_id,
            {% for column in parent_columns -%}
                {{ column }},
            {% endfor -%}
            {{ id_column }},
            {{ name_column }},
            row_number() over (
                partition by account_id, {{ id_column }}
                order by date_day desc, loaded_at desc, {{ name_column }} asc
            ) as recency_rank

        from {{ insights }}

    ) as ranked
    left join {{ listing }} as listing
        on
            ranked.account_id = listing.account_id
            and ranked.{{ id_column }} = listing.{{ id_column }}
    where
        ranked.recency_rank = 1
        and listing.{{ id_column }} is null
{%- endmacro %}
