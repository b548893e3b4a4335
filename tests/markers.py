"""A pytest plugin: markers say what a test runs, and a test that runs more than it says fails.

``make check`` (the edit-test loop) selects ``not (e2e or pipeline or dbt)``: the unit and
sandbox tests. That selection stays true because this plugin watches the test process:

==========  ==================================================================
pipeline    the test loads data with dlt (``Pipeline.load``: a source, a probe)
dbt         the test runs dbt (``dbtRunner.invoke``, or dbt's templater in sqlfluff)
e2e         the whole chain: sandbox -> dlt -> dbt, or argo and make as processes;
            set on every module of tests/e2e/ (tests/e2e/conftest.py checks it)
==========  ==================================================================

A test that loads with dlt without ``pipeline`` or ``e2e``, or runs dbt without ``dbt`` or
``e2e``, fails in its teardown with what it ran (a fixture's work counts for the test that
set it up). dlt and dbt are watched from the moment they are imported, so the fast tests
import neither for nothing. Work in a subprocess is not seen: a test that starts ``argo``,
``dbt``, ``sqlfluff`` or ``make`` carries its marker by hand.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

import pytest

MARKERS = {
    "pipeline": "loads data with dlt (a source's pipeline into a warehouse)",
    "dbt": "runs dbt or sqlfluff's dbt templater on the project",
    "e2e": "the whole chain (sandbox -> dlt -> dbt) or argo/make as processes",
}
#: What each kind of work needs: one of these markers.
NEEDS = {"dlt load": ("pipeline", "e2e"), "dbt": ("dbt", "e2e")}


class Watch:
    """What the running test made dlt and dbt do."""

    def __init__(self) -> None:
        self.current = "collection"
        self.seen: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def record(self, kind: str, what: str) -> None:
        with self._lock:
            self.seen.setdefault(self.current, []).append(f"{kind}: {what}")

    def take(self, test: str) -> list[str]:
        with self._lock:
            return self.seen.pop(test, [])


WATCH = Watch()


def _watch_dlt(module: ModuleType) -> None:
    pipeline_class: Any = module.Pipeline
    load = pipeline_class.load

    def watched_load(self: Any, *args: Any, **kwargs: Any) -> Any:
        WATCH.record("dlt load", f"pipeline {self.pipeline_name}")
        return load(self, *args, **kwargs)

    pipeline_class.load = watched_load


def _watch_dbt(module: ModuleType) -> None:
    runner_class: Any = module.dbtRunner
    invoke = runner_class.invoke

    def watched_invoke(self: Any, args: Sequence[str], **kwargs: Any) -> Any:
        WATCH.record("dbt", " ".join(str(a) for a in list(args)[:3]))
        return invoke(self, args, **kwargs)

    runner_class.invoke = watched_invoke


#: Module -> what patches it once it is imported.
WATCHED: dict[str, Callable[[ModuleType], None]] = {
    "dlt.pipeline.pipeline": _watch_dlt,
    "dbt.cli.main": _watch_dbt,
}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs a module's hook right after the module is first executed."""

    def __init__(self, hooks: dict[str, Callable[[ModuleType], None]]) -> None:
        self.hooks = hooks

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.hooks:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        hook, loader = self.hooks.pop(fullname), spec.loader
        exec_module = loader.exec_module

        def exec_and_hook(module: ModuleType) -> None:
            exec_module(module)
            hook(module)

        loader.exec_module = exec_and_hook  # type: ignore[method-assign]
        return spec


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    pending = {}
    for name, hook in WATCHED.items():
        if name in sys.modules:
            hook(sys.modules[name])
        else:
            pending[name] = hook
    if pending:
        sys.meta_path.insert(0, _AfterImport(pending))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup``, stops if pytest-xdist did not group the grouped tests.

    Tests of one ``xdist_group`` share a session's work and the project's own files; spread
    over workers they would do the work twice, or collide. pytest-xdist 3.8 silently stops
    grouping on pytest 9.2 (pytest-xdist#1386): this says so instead.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    ungrouped = [
        item.nodeid
        for item in items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rsplit("]", 1)[-1]
    ]
    if ungrouped:
        raise pytest.UsageError(
            "pytest-xdist did not group the tests marked xdist_group (is pytest newer than "
            f"the xdist release supports?), e.g. {ungrouped[0]}"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    WATCH.current = item.nodeid
    try:
        return (yield)
    finally:
        WATCH.current = "between tests"


@pytest.fixture(autouse=True)
def _runs_only_what_its_markers_say(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test (in teardown) that loaded with dlt or ran dbt without saying so."""
    yield
    node = request.node
    unsaid = [
        what
        for what in WATCH.take(node.nodeid)
        if not any(node.get_closest_marker(m) for m in NEEDS[what.split(":")[0]])
    ]
    if unsaid:
        pytest.fail(
            "this test runs more than its markers say (tests/markers.py): mark it "
            + " or ".join(sorted({"@pytest.mark." + NEEDS[w.split(":")[0]][0] for w in unsaid}))
            + "\n  "
            + "\n  ".join(dict.fromkeys(unsaid)),
            pytrace=False,
        )
