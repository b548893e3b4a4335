"""The HTML digest in headless Chromium: it renders its items and charts and fetches nothing.

The page is opened from disk as an AE opens the file; Chromium's net log
(tests/chromium.py) records every request, and only the file itself may appear there.
The screenshot is kept as a test artefact in ``target/test-artefacts/`` (gitignored).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from argo import digest
from argo.digest_render import page
from argo.marts_reader import DuckDBReader
from argo.settings import PROJECT_DIR
from tests import chromium

ARTEFACTS = PROJECT_DIR / "target" / "test-artefacts"


def test_the_html_digest_renders_its_items_and_fetches_nothing(
    browser: str, marts: Path, tmp_path: Path
) -> None:
    digests = {d.owner.name: d for d in digest.build(DuckDBReader(marts))}
    kim, lee = digests["Kim Minji"], digests["Lee Jun"]
    kim_page, lee_page = tmp_path / "kim-minji.html", tmp_path / "lee-jun.html"
    kim_page.write_text(page(kim), encoding="utf-8")
    lee_page.write_text(page(lee), encoding="utf-8")

    load = chromium.load(kim_page.as_uri())
    assert load.requests, "the net log recorded nothing: was it written?"
    assert load.beyond_loopback == []
    # The page asks for itself only (the browser's own services go to a closed port).
    asked = {r.target for r in load.requests if r.kind == "url"}
    assert {t for t in asked if not t.startswith(chromium.NOWHERE)} <= {kim_page.as_uri()}
    dom = load.dom
    for item in kim.items:
        assert f"headline of {item.alert_id}" in dom
    assert len(re.findall(r'<svg class="chart (pacing|anomaly)"', dom)) == 2
    assert 'class="budget"' in dom and 'class="band"' in dom
    assert "No budget in the plan" in dom and "1 standing alert unchanged" in dom

    escaped = chromium.load(lee_page.as_uri())
    assert escaped.beyond_loopback == []
    assert "<script>alert(1)</script>" not in escaped.dom  # shown as text, never run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped.dom

    picture = tmp_path / "digest.png"
    shot = chromium.screenshot(kim_page.as_uri(), picture, width=1100, height=1100)
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.stat().st_size > 20_000, "a blank page is a few kB"
    assert shot.beyond_loopback == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(picture, ARTEFACTS / "digest-kim-minji.png")
