"""dlt sources, one package per API, and what they share.

Shared modules:
    arrow: typed Arrow columns, value parsers and ``to_table`` (every ``tables.py``).
    dates: the lookback window (``Lookback``), the newest day loaded, configured dates,
        and ``sane_days`` (no row after tomorrow or before 2000).
    resources: merge resources named by their table, and second tables of a resource;
        conflicting duplicates stop the run, days asked for are replaced (tombstones).
    http: retries (``Retry``), ``HttpApi`` / ``JsonApi`` / ``TokenClient``, redaction.
    datagokr: what every data.go.kr service shares (key, answer shapes, ``ServiceClient``).
    config: settings as users write them (lists, choices, limits, where a value came from).
    errors: the errors every source raises.

Each source package has ``tables.py`` (its raw tables, declared), ``client.py`` (its API),
``source.py`` (its resources and the ``@dlt.source`` that composes them) and a README.

Wrong answers stop a run rather than land: rows that share a table's primary key but
differ (a conflicting duplicate), and rows dated after tomorrow or before 2000, raise a
``SourceDataError`` during extract, so nothing of the run is committed (data and state load
together) and the warehouse stays as it was. We chose to STOP over setting such rows aside
in a rejected-rows table: a conflict means the API's answer for that key cannot be trusted,
and loading either row would make the marts silently wrong. Identical duplicates are
dropped. A daily source replaces every day it asked for, including days the API now
answers empty (see ``resources``).
"""
