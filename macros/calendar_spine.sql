{#
    One row per day from `start_date` to `end_date`, both included, as `date_day`.

    dbt's date_spine counts its days with a query at compile time (on Athena a round trip,
    and against a catalog without a query engine, a wrong count); the calendar's ends are
    configuration, so the count is computed here, in Jinja, and the spine is plain SQL on
    every engine.
#}
{% macro calendar_spine(start_date, end_date) -%}
    {%- set first = modules.datetime.date.fromisoformat(start_date | string) -%}
    {%- set last = modules.datetime.date.fromisoformat(end_date | string) -%}
    {%- set days = (last - first).days + 1 -%}
    {%- if days < 1 -%}
        {{ exceptions.raise_compiler_error(
            "calendar_spine: end_date " ~ last ~ " is before start_date " ~ first
        ) }}
    {%- endif -%}
    select
        {{ dbt.dateadd('day', 'generated_number - 1', "cast('" ~ first ~ "' as date)") }}
            as date_day
    from ({{ dbt.generate_series(days) }}) as series
{%- endmacro %}
