"""Many Naver customers: entities listed side by side, report jobs customer by customer in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import run_source
from ingestion.sandbox import World
from ingestion.sandbox.http import Reply, Request
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from tests.sources.concurrency import InFlight

pytestmark = pytest.mark.pipeline


def test_jobs_running_together_belong_to_different_customers(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Naver limits calls per customer: the jobs of one turn are one per customer."""
    customers = [a.account_id for a in world.accounts("naver_searchad")]
    assert len(customers) >= 3
    created: list[tuple[str, str, str]] = []
    handle = naver.handle

    def watched(request: Request) -> Reply:
        if request.method == "POST" and request.path.endswith("/stat-reports"):
            created.append(
                (request.form["reportTp"], request.headers["x-customer"], request.form["statDt"])
            )
        return handle(request)

    monkeypatch.setattr(naver, "handle", watched)
    monkeypatch.setenv("SOURCES__NAVER_SEARCHAD__REPORT_WORKERS", "1")  # creation in job order
    run_source("naver_searchad", **naver_options)
    ad = [(customer, day) for kind, customer, day in created if kind == "AD"]
    first_turn = ad[: len(customers)]
    assert [c for c, _ in first_turn] == customers, "each customer's first day, in turn"
    assert len({d for _, d in first_turn}) == 1
    assert sorted(ad) == sorted(set(ad)), "every customer-day once"


def test_customers_entities_are_listed_side_by_side_each_customers_calls_in_turn(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Naver limits calls per customer: customers at once, never two calls of one."""
    customers = [a.account_id for a in world.accounts("naver_searchad")]
    assert len(customers) >= 3

    def listing(request: Request) -> str | None:
        return request.headers["x-customer"] if request.path.startswith("/ncc/") else None

    watch = InFlight(naver, listing, monkeypatch, rendezvous=2, timeout=2)
    monkeypatch.setenv("SOURCES__NAVER_SEARCHAD__MAX_PARALLEL_ACCOUNTS", "3")
    result = run_source("naver_searchad", **naver_options)
    assert watch.peak > 1, "customers listed side by side"
    assert watch.peak_per_account == 1, "one call at a time per customer"
    keywords = sum(len(world.keywords("naver_searchad", c)) for c in customers)
    assert result.rows["keywords"] == keywords
