{#
    The daily facts and reports are incremental: each run recomputes the days from
    var('argo__mart_lookback_days') before the newest day already in the mart (the
    sources re-pull about that many days: Meta 28, Google 30) and writes them over the
    rows with the same grain. Same semantics on both engines (DECISIONLOG, 25):

    - DuckDB: delete+insert on the grain (`unique_key`), in one transaction;
    - Athena: an Iceberg table, partitioned by month of `date_day`, merged on the grain
      (one atomic Iceberg commit, so a failed run leaves the previous snapshot, never a
      hole), parquet with zstd.

    `argo transform --full-refresh` (dbt's --full-refresh) rebuilds them from scratch.
#}
{% macro incremental_mart_config(unique_key) -%}
    {%- set settings = {
        'materialized': 'incremental',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
    } -%}
    {%- if target.type == 'athena' -%}
        {%- do settings.update({
            'table_type': 'iceberg',
            'incremental_strategy': 'merge',
            'partitioned_by': ['month(date_day)'],
            'format': 'parquet',
            'write_compression': 'zstd',
        }) -%}
    {%- else -%}
        {%- do settings.update({'incremental_strategy': 'delete+insert'}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

{#
    The days an incremental run recomputes: `true` on a full build, else `column` from
    var('argo__mart_lookback_days') before the newest day in the mart.

    The newest day is read when the model runs and written into the SQL as a date
    literal. A literal lets the engine push the filter through the staging and
    intermediate views down to the raw tables' scans (DuckDB prunes row groups, Athena
    partitions); a scalar subquery on the mart would be applied only after the views
    had read all of history. An empty mart gives every day.
#}
{% macro in_lookback_window(column='date_day') -%}
    {%- if is_incremental() -%}
        {%- set newest = none -%}
        {%- if execute -%}
            {%- set found = run_query('select max(date_day) from ' ~ this) -%}
            {%- set newest = found.columns[0].values()[0] -%}
        {%- endif -%}
        {%- if newest is none -%}
            1 = 1
        {%- else -%}
            {%- set day = "cast('" ~ (newest | string)[:10] ~ "' as date)" -%}
            {{ column }} >= {{ dbt.dateadd('day', -1 * var('argo__mart_lookback_days'), day) }}
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
