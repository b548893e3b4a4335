"""ARGO, the application: the ``argo`` command and what it runs.

The CLI (``cli``) and how it stops on Ctrl-C or SIGTERM (``interrupts``), the pipeline
runner that picks the target, the warehouse and the lock (``pipeline``, ``settings``,
``locks``, and ``dbt_lock``, the dbt-duckdb plugin through which dbt takes the same lock),
the dbt runner (``transform``) and the AWS footprint (``aws``). It imports the sources and
the sandbox from :mod:`ingestion`; nothing in :mod:`ingestion` imports it.
"""
