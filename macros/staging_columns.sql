{#
    The columns every staging model begins and ends with. `source_relation_column`: the
    raw relation a row was read from (`source_relation`, as `source_relation_name` writes
    it). `dlt_load_columns`: dlt's load of the row, `load_id` (`_dlt_load_id`) and
    `loaded_at` (`_loaded_at` in UTC).
#}
{% macro source_relation_column(source_table) -%}
    cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation
{%- endmacro %}

{% macro dlt_load_columns() -%}
    cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at
{%- endmacro %}
