"""ARGO, the application: the ``argo`` command and what it runs.

The CLI (``cli``) and how it stops on Ctrl-C or SIGTERM (``interrupts``), the pipeline
runner that picks the target, the warehouse and the lock (``pipeline``, ``settings``,
``locks``, and ``dbt_lock``, the dbt-duckdb plugin through which dbt takes the same lock),
the dbt runner (``transform``), the AWS footprint (``aws``), and the AE's digest: reading
the marts (``marts_reader``), building and rendering it (``digest``, ``digest_render``),
posting it to Slack (``delivery``) and the alert state (``alerts``). It imports the sources and
the sandbox from :mod:`ingestion`; nothing in :mod:`ingestion` imports it.
"""
