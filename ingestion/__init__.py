"""ARGO's ingestion: the dlt sources and the sandbox that serves them.

Subpackages:
    sources: one dlt source per API (``sources/<source>/``) and the helpers they share
        (HTTP, Arrow tables, dates, settings, errors).
    sandbox: the synthetic ad world and protocol-faithful fake APIs on 127.0.0.1, with
        their registry (``sandbox/registry.py``).

Modules:
    registry: every source, declared once (its dlt source, fake, dbt switch, secrets).
    clock: the one clock for every "today", timestamp and wait.

The application (the ``argo`` command, the pipeline runner, dbt, AWS) is the ``argo``
package above this one; nothing here imports it.
"""

__version__ = "0.1.0"
