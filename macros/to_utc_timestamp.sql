{#
    A timestamp column as a time-zone-less timestamp holding UTC wall-clock time, the type
    of every `*_at` column. dlt lands `timestamp with time zone` in DuckDB, where a plain
    cast would shift the value to the session's time zone; on Athena the parquet columns
    are already UTC timestamps.
#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'argo')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}
