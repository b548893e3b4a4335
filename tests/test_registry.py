"""Adding a source is one registry entry: every place that lists sources agrees with it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from argo.cli import build_parser
from argo.settings import PROJECT_DIR
from ingestion.registry import SOURCES, Source
from ingestion.sandbox.http import FakeApi

WORKFLOW = PROJECT_DIR / ".github" / "workflows" / "production.yml"


def dbt_switches() -> set[str]:
    """The ``<source>__enabled`` vars of dbt_project.yml."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return {name for name in project["vars"] if name.endswith("__enabled")}


def production_secrets() -> dict[str, str]:
    """``SOURCES__...`` variable -> the secret store's name, in the production workflow."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    found = {}
    for step in job["steps"]:
        for name, value in (step.get("env") or {}).items():
            if name.startswith("SOURCES__"):
                match = re.fullmatch(r"\$\{\{ secrets\.([A-Z0-9_]+) \}\}", str(value))
                assert match, f"{name}: not from the secret store"
                found[name] = match.group(1)
    return found


def places() -> dict[str, set[str]]:
    """Each place that names sources, and the sources it names."""
    parser = build_parser()
    ingest = next(
        action.choices["ingest"]
        for action in parser._actions  # argparse keeps its subcommands there
        if isinstance(getattr(action, "choices", None), dict) and "ingest" in action.choices
    )
    (choices,) = [a.choices for a in ingest._actions if a.dest == "source"]
    sources_dir = PROJECT_DIR / "ingestion" / "sources"
    return {
        "ingestion/sources/<name>/source.py": {
            p.parent.name for p in sources_dir.glob("*/source.py")
        },
        "ingestion/sources/<name>/README.md": {
            p.parent.name for p in sources_dir.glob("*/README.md")
        },
        "models/staging/<name>/": {
            p.name for p in (PROJECT_DIR / "models" / "staging").iterdir() if p.is_dir()
        },
        "argo ingest's choices": set(choices) - {"all"},
        "dbt_project.yml vars <name>__enabled": {
            s.removesuffix("__enabled") for s in dbt_switches()
        },
        "production.yml's ingest secrets": {
            name.split("__")[1].lower() for name in production_secrets()
        },
    }


def problems(registry: Mapping[str, Source], found: Mapping[str, set[str]]) -> list[str]:
    """Every disagreement between the registry and the places that list sources."""
    listed = set(registry)
    out = []
    for place, names in found.items():
        out += [f"{name}: registered, but not in {place}" for name in sorted(listed - names)]
        out += [f"{name}: in {place}, but not registered" for name in sorted(names - listed)]
    return out


def test_every_place_lists_exactly_the_registered_sources() -> None:
    assert problems(SOURCES, places()) == []


@pytest.mark.parametrize("place", list(places()))
def test_a_source_missing_from_one_place_is_caught(place: str) -> None:
    found = places()
    found[place] = found[place] - {"weather"}
    assert problems(SOURCES, found) == [f"weather: registered, but not in {place}"]
    unregistered = {k: v for k, v in SOURCES.items() if k != "adjust"}
    assert f"adjust: in {place}, but not registered" in problems(unregistered, places())


def test_each_entry_names_a_source_a_fake_and_a_switch_that_exist() -> None:
    switches = dbt_switches()
    for name, source in SOURCES.items():
        assert source.name == name
        assert source.factory().__name__ == f"{name}_source"
        assert issubclass(source.fake_class(), FakeApi), source.fake
        assert source.dbt_switch in switches, source.dbt_switch
        assert set(source.sandbox_options) <= set(source.settings()), name
        assert source.secrets(), f"{name} declares no secret argument"


def test_production_passes_every_secret_of_every_source_from_the_store() -> None:
    expected: dict[str, Any] = {
        source.env(secret): source.store_name(secret)
        for source in SOURCES.values()
        for secret in source.secrets()
    }
    assert production_secrets() == expected
