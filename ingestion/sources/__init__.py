"""dlt sources, one package per API, and what they share.

Shared modules:
    arrow: typed Arrow columns, value parsers and ``to_table`` (every ``tables.py``).
    dates: the lookback window (``Lookback``), the newest day loaded, configured dates.
    resources: merge resources named by their table, and second tables of a resource.
    http: retries (``Retry``), ``HttpApi`` / ``JsonApi`` / ``TokenClient``, redaction.
    datagokr: what every data.go.kr service shares (key, answer shapes, ``ServiceClient``).
    config: settings as users write them (lists, choices, limits, where a value came from).
    errors: the errors every source raises.

Each source package has ``tables.py`` (its raw tables, declared), ``client.py`` (its API),
``source.py`` (its resources and the ``@dlt.source`` that composes them) and a README.
"""
