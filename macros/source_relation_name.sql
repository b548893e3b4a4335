{#
    A string literal naming the raw relation a row was read from, as `schema.table`
    (e.g. 'raw_meta_ads.ads_insights'): the `source_relation` column of staging models.
#}
{% macro source_relation_name(relation) -%}
    {{ return(dbt.string_literal(relation.schema ~ '.' ~ relation.identifier)) }}
{%- endmacro %}
