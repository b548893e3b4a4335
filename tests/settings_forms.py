"""Source settings written the way users write them: in environment variables and TOML files."""

from __future__ import annotations

import inspect
import json
from datetime import date
from typing import Any

from dlt.common.configuration.inject import get_fun_spec
from dlt.common.configuration.specs.base_configuration import is_secret_hint

from ingestion.registry import SOURCES


def factory(source: str) -> Any:
    """The source's ``@dlt.source`` function itself."""
    return SOURCES[source].factory()


def is_list(source: str, name: str) -> bool:
    """Whether the setting is a list setting (hinted ``ListSetting``)."""
    return inspect.signature(factory(source)).parameters[name].annotation == "ListSetting"


def is_secret(source: str, name: str) -> bool:
    """Whether dlt treats the setting as a secret (``secrets.toml`` or the environment only)."""
    hint = get_fun_spec(factory(source)).get_resolvable_fields().get(name)
    return hint is not None and is_secret_hint(hint)


def env_text(value: Any) -> str:
    """A value as a user writes it in an environment variable (lists as JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def toml_text(value: Any) -> str:
    """A value as a user writes it in a TOML file (dates as TOML dates, lists as arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date):
        return str(value)
    return json.dumps(value)


def env_variables(source: str, options: dict[str, Any]) -> dict[str, str]:
    """``SOURCES__<SOURCE>__<NAME>`` variables holding ``options``."""
    return {SOURCES[source].env(k): env_text(v) for k, v in options.items()}


def toml_files(source: str, options: dict[str, Any]) -> dict[str, str]:
    """``config.toml`` and ``secrets.toml`` holding ``options`` under ``[sources.<source>]``."""
    files = {"config.toml": [f"[sources.{source}]"], "secrets.toml": [f"[sources.{source}]"]}
    for name, value in options.items():
        kind = "secrets.toml" if is_secret(source, name) else "config.toml"
        files[kind].append(f"{name} = {toml_text(value)}")
    return {name: "\n".join(lines) + "\n" for name, lines in files.items()}
