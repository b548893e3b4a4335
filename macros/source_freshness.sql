{#
    The loaded_at_query of every source (models/staging/*/_*__sources.yml): when dlt last
    finished a load of the source's dataset, read from the dataset's own `_dlt_loads`
    (status 0: the load is complete). Every table of a dataset gets the same time, so a
    load that only deleted rows (tombstones, DECISIONLOG 39) or wrote nothing into a child
    table still makes each of them fresher, and `argo transform` rebuilds what is
    downstream (`dbt build --select source_status:fresher+`). Same SQL on DuckDB and
    Athena; a dataset never loaded has no `_dlt_loads` and reports an error for its
    tables, which `source_status:fresher` leaves out.
#}
{% macro dlt_loaded_at_query(source_relation) -%}
    select max(inserted_at) from {{ source_relation.incorporate(path={'identifier': '_dlt_loads'}) }}
    where status = 0
{%- endmacro %}
