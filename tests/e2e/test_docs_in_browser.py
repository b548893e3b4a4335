"""The docs site in a real browser: opened from disk and served, it renders and fetches nothing.

`argo docs` builds the site of the session's demo warehouse (tests/e2e/conftest.py: the
seeds' columns come from the catalog), with secrets in the environment; headless
Chromium (tests/chromium.py) opens ``target/index.html`` from disk as the demo tells the
user to, and again through `argo docs --serve`, recording every request in its net log.
Only file:// and 127.0.0.1 may appear there.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from argo.cli import main
from argo.settings import WAREHOUSE_ENV
from tests import chromium
from tests.e2e.conftest import ENV_SECRETS, Demo
from tests.network_guard import guarded_env, refused_in_subprocesses

pytestmark = pytest.mark.e2e

#: A model of the project the rendered sidebar must list, and a seed whose page shows
#: its columns with the types only the catalog knows.
MODEL = "model.argo.rpt_campaign_performance_daily"
SEED = "seed.argo.platforms"
#: Elements that make a browser load their src/href.
LOADING = re.compile(
    r"<(script|img|iframe|frame|link|video|audio|source|track|embed|object|image)\b[^>]*?"
    r"\b(?:src|href|data|poster|srcset)\s*=\s*[\"']?((?:https?:)?//[^\s\"'>]+)",
    re.I,
)
#: Secrets a user may have in the environment while building the site.
SECRETS = ENV_SECRETS


@pytest.fixture(scope="module")
def docs_site(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The site `argo docs` builds for the demo's warehouse, into a target folder of its own.

    dbt reads the demo's parse (the same project, vars and target) instead of parsing
    the project again.
    """
    scratch = tmp_path_factory.mktemp("docs_site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(demo.warehouse))
        patch.setenv("DBT_TARGET_PATH", str(scratch / "target"))
        patch.setenv("DBT_LOG_PATH", str(scratch / "logs"))
        patch.setenv("DBT_PARTIAL_PARSE_FILE_PATH", str(demo.target / "partial_parse.msgpack"))
        for name, value in SECRETS.items():
            patch.setenv(name, value)
        assert main(["docs"]) == 0
        yield scratch / "target"


def rendered(dom: str) -> str:
    """The DOM without scripts and styles (the inlined manifest names every model too)."""
    return re.sub(r"(?is)<script\b.*?</script>|<style\b.*?</style>", "", dom)


def assert_rendered_and_local(load: chromium.PageLoad) -> None:
    assert load.requests, "the net log recorded nothing: was it written?"
    assert load.beyond_loopback == [], "the page asked for more than file:// and 127.0.0.1"
    page = rendered(load.dom)
    assert f'data-nav-unique-id="{MODEL}"' in page, "the project tree was not rendered"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "platform VARCHAR" in text, "the seed's column types (from the catalog) are missing"
    remote = [m.group(2) for m in LOADING.finditer(load.dom)]
    assert remote == [], f"elements that load from elsewhere: {remote}"


def test_index_html_opens_from_disk_renders_the_catalog_and_fetches_nothing(
    browser: str, docs_site: Path
) -> None:
    index = docs_site / "index.html"
    assert not (docs_site / "static_index.html").exists()
    html = index.read_text(encoding="utf-8")
    assert not [name for name, value in SECRETS.items() if value in html]
    load = chromium.load(f"{index.as_uri()}#!/seed/{SEED}")
    print(f"\nChromium opened {index} in {load.seconds:.1f} s; {len(load.requests)} requests")
    assert_rendered_and_local(load)


def test_the_site_opens_on_the_overview_and_shows_the_exposures(
    browser: str, docs_site: Path
) -> None:
    """The page a user lands on is ARGO's overview; an exposure's page names its marts."""
    index = docs_site / "index.html"

    def text_of(url: str) -> str:
        load = chromium.load(url)
        assert load.beyond_loopback == []
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rendered(load.dom)))

    landing = text_of(index.as_uri())
    assert "ARGO: the advertising warehouse" in landing, landing[:500]
    assert "Which mart answers which question" in landing
    assert "Welcome!" not in landing, "dbt's stock welcome page"
    exposure = text_of(f"{index.as_uri()}#!/exposure/exposure.argo.campaign_overview_dashboard")
    assert "Campaign overview (example BI dashboard)" in exposure, exposure[:500]
    assert "Depends On Models dim_ad_accounts dim_dates rpt_campaign_performance_daily" in exposure


def test_a_screenshot_of_the_site_from_disk(browser: str, docs_site: Path, tmp_path: Path) -> None:
    picture = tmp_path / "docs.png"
    shot = chromium.screenshot(f"{(docs_site / 'index.html').as_uri()}#!/model/{MODEL}", picture)
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.stat().st_size > 20_000, "a blank page is a few kB"
    assert shot.beyond_loopback == []


def test_the_served_site_fetches_nothing_and_ctrl_c_stops_it(
    browser: str, docs_site: Path, tmp_path: Path
) -> None:
    guard = tmp_path / "guard"
    env = guarded_env(guard) | {"DBT_TARGET_PATH": str(docs_site)}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("argo")), "docs", "--serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert found, f"no address in {line!r}"
        load = chromium.load(f"{found.group(1)}index.html#!/seed/{SEED}")
        assert_rendered_and_local(load)
        assert any(r.kind == "url" and r.target.startswith(found.group(1)) for r in load.requests)
        server.send_signal(signal.SIGINT)
        started = time.monotonic()
        assert server.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        assert "Stopped serving" in server.stdout.read()
    finally:
        server.kill()
        server.wait()
    assert refused_in_subprocesses(guard) == []
