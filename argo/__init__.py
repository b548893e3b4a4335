"""ARGO, the application: the ``argo`` command and what it runs.

The CLI (``cli``), the pipeline runner that picks the target, the warehouse and the lock
(``pipeline``, ``settings``, ``locks``), the dbt runner (``transform``) and the AWS
footprint (``aws``). It imports the sources and the sandbox from :mod:`ingestion`; nothing
in :mod:`ingestion` imports it.
"""
