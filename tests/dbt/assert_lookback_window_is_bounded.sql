-- Unit test of the macro lookback_window_start (macros/incremental_marts.sql), on cases
-- written here: the window of an incremental mart starts `lookback` days before its
-- newest day, that day counts as at most tomorrow (a row dated in the future cannot
-- move the window past the days still restated), and a backfill older than the window
-- widens it back to the first day loaded. Returns the cases the macro gets wrong.

{%- set cases = [
    ('daily run', '2026-11-19', '2026-11-20', 30, none, '2026-10-20'),
    ('newest day is tomorrow (east of UTC)', '2026-11-21', '2026-11-20', 30, none, '2026-10-22'),
    ('one row dated 2028-01-03', '2028-01-03', '2026-11-20', 30, none, '2026-10-22'),
    ('newest day long ago', '2026-01-05', '2026-11-20', 30, none, '2025-12-06'),
    ('backfill 60 days back', '2026-11-19', '2026-11-20', 30, '2026-09-21', '2026-09-21'),
    ('backfill inside the window', '2026-11-19', '2026-11-20', 30, '2026-11-01', '2026-10-20'),
    ('future row and backfill', '2028-01-03', '2026-11-20', 30, '2026-09-21', '2026-09-21'),
    ('empty mart', none, '2026-11-20', 30, none, none),
] %}

with

cases as (

    {% for name, newest, today, lookback, loaded, expected in cases -%}
        {%- set got = argo.lookback_window_start(newest, today, lookback, loaded) %}
        select
            {{ dbt.string_literal(name) }} as case_name,
            {{ dbt.string_literal(expected | string) }} as expected_start,
            {{ dbt.string_literal(got | string) }} as computed_start
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

)

select *
from cases
where computed_start != expected_start
