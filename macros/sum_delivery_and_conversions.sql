{#
    Delivery and counted conversions in one row per `grain` (a list of columns both
    relations have): the rows of `delivery` (with 0 conversions) and of `conversions`
    (with 0 impressions, clicks and spend) stacked, then summed per grain. Summing a stack
    instead of joining keeps every total: a grain with delivery but no conversion has 0
    conversions, and conversions a platform reports without delivery that day still count.
    `source_relation` is the delivery rows' (null where there are only conversions);
    `extra_counts` are further integer measures of `delivery` (e.g. reach), null on
    conversion rows. Types are restated after each sum (DuckDB widens sums).
#}
{% macro sum_delivery_and_conversions(delivery, conversions, grain, extra_counts=[]) -%}
    select
        {% for column in grain -%}
            {{ column }},
        {% endfor -%}
        max(source_relation) as source_relation,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(spend) as {{ dbt.type_numeric() }}) as spend,
        {% for column in extra_counts -%}
            cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {% endfor -%}
        cast(sum(conversions) as {{ argo.type_double() }}) as conversions,
        cast(sum(conversions_value) as {{ dbt.type_numeric() }}) as conversions_value

    from (

        select
            {% for column in grain -%}
                {{ column }},
            {% endfor -%}
            source_relation,
            impressions,
            clicks,
            spend,
            {% for column in extra_counts -%}
                {{ column }},
            {% endfor -%}
            cast(0 as {{ argo.type_double() }}) as conversions,
            cast(0 as {{ dbt.type_numeric() }}) as conversions_value

        from {{ delivery }}

        union all

        select
            {% for column in grain -%}
                {{ column }},
            {% endfor -%}
            cast(null as {{ dbt.type_string() }}) as source_relation,
            cast(0 as {{ dbt.type_bigint() }}) as impressions,
            cast(0 as {{ dbt.type_bigint() }}) as clicks,
            cast(0 as {{ dbt.type_numeric() }}) as spend,
            {% for column in extra_counts -%}
                cast(null as {{ dbt.type_bigint() }}) as {{ column }},
            {% endfor -%}
            conversions,
            conversions_value

        from {{ conversions }}

    ) as stacked
    group by {{ range(1, grain | length + 1) | join(', ') }}
{%- endmacro %}
