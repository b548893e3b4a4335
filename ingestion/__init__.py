"""ARGO: an ELT warehouse for digital advertising.

Subpackages:
    sources: one dlt source per API (``sources/<source>/``).
    sandbox: the synthetic ad world and protocol-faithful fake APIs on 127.0.0.1.

Modules:
    settings: project paths and the warehouse location.
    pipeline: builds dlt pipelines and runs sources into the warehouse.
    transform: runs dbt through its Python API.
    cli: the ``argo`` command.
"""

__version__ = "0.1.0"
