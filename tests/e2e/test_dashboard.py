"""The example BI dashboard (docs/dashboard.md) runs on the demo warehouse, and its
exposure in the dbt project names every mart it reads."""

from __future__ import annotations

import re

import duckdb
import pytest
import yaml

from argo.settings import PROJECT_DIR
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.e2e

DASHBOARD = PROJECT_DIR / "docs" / "dashboard.md"
EXPOSURES = PROJECT_DIR / "models" / "_exposures.yml"


def queries() -> dict[str, str]:
    """Each tile's title -> its SQL."""
    text = DASHBOARD.read_text(encoding="utf-8")
    found = re.findall(r"^## (.+?)\n\n```sql\n(.*?)```", text, re.M | re.S)
    assert len(found) >= 5, "docs/dashboard.md: a `## title` then a ```sql block per tile"
    return dict(found)


def test_every_tile_returns_rows_on_the_demo(demo: Demo) -> None:
    with duckdb.connect(str(demo.warehouse)) as con:
        for title, sql in queries().items():
            rows = con.execute(sql).fetchall()
            assert rows, f"{title}: no row"
            assert all(row[0] is not None for row in rows), f"{title}: a null key: {rows[:3]}"


def test_the_exposure_names_exactly_the_marts_the_tiles_read() -> None:
    read = {m for sql in queries().values() for m in re.findall(r"\bmarts\.(\w+)", sql)}
    exposures = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    (dashboard,) = [e for e in exposures if e["name"] == "campaign_overview_dashboard"]
    declared = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in dashboard["depends_on"]}  # type: ignore[union-attr]
    assert declared == read
