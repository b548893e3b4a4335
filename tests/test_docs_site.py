"""The docs page is made self-contained: data inlined and escaped, tracker out, nothing remote.

These run on small stand-ins for what ``dbt docs generate --static`` writes, and on the
page dbt ships (so a dbt upgrade that adds a remote reference fails here first);
tests/e2e/test_docs_in_browser.py opens a real site in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argo.transform import (
    DOCS_MARK,
    DOCS_TRACKER_HOSTS,
    TransformError,
    docs_dir,
    docs_site_ready,
    make_docs_self_contained,
    remote_references,
)
from tests import chromium

#: The shape of dbt's page: the data object, the tracker's switch and loader.
TEMPLATE = (
    "<!doctype html><html><head><script>"
    'var n={manifest:"MANIFEST.JSON INLINE DATA",catalog:"CATALOG.JSON INLINE DATA"};'
    "var t={turn_on_tracking:function(){var i=document.createElement('script');"
    'i.src="//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js";'
    'r.snowplow("newTracker","sp","fishtownanalytics.sinter-collect.com",l)},'
    'fuzzUrls:function(){r.snowplow("setCustomUrl","https://fuzzed.getdbt.com/")}};'
    '</script></head><body><svg xmlns="http://www.w3.org/2000/svg"></svg>{extra}</body></html>'
)


def static_site(folder: Path, manifest: dict[str, object], extra: str = "") -> Path:
    """What `dbt docs generate --static` leaves: the page with both files inlined."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_text = json.dumps(manifest, indent=2)
    catalog_text = json.dumps({"nodes": {"seed.argo.platforms": {"columns": {}}}})
    (folder / "manifest.json").write_text(manifest_text + "\n")
    (folder / "catalog.json").write_text(catalog_text)
    page = TEMPLATE.replace("{extra}", extra)
    page = page.replace('"MANIFEST.JSON INLINE DATA"', manifest_text)
    page = page.replace('"CATALOG.JSON INLINE DATA"', catalog_text)
    (folder / "static_index.html").write_text(page)
    (folder / "index.html").write_text("<html>fetches manifest.json</html>")
    return folder


def test_the_static_page_becomes_index_html_without_tracker(tmp_path: Path) -> None:
    description = "Ends a script if left alone: </script><script>alert(1)</script>"
    site = static_site(tmp_path, {"nodes": {"model.argo.x": {"description": description}}})
    assert not docs_site_ready(site)
    index = make_docs_self_contained(site)
    page = index.read_text()
    assert index == site / "index.html" and not (site / "static_index.html").exists()
    assert docs_site_ready(site) and page.rstrip().endswith(DOCS_MARK)
    assert "turn_on_tracking:function(){return;" in page
    assert not [host for host in DOCS_TRACKER_HOSTS if host in page]
    # the data is escaped, still JSON, and still the same data
    assert "</script><script>alert" not in page
    start = page.index("var n={manifest:") + len("var n={manifest:")
    inlined, _ = json.JSONDecoder().raw_decode(page[start:])
    assert inlined["nodes"]["model.argo.x"]["description"] == description


def test_a_page_that_would_fetch_from_elsewhere_is_refused(tmp_path: Path) -> None:
    font = '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Inter">'
    site = static_site(tmp_path, {"nodes": {}}, extra=font)
    with pytest.raises(TransformError, match=r"would fetch https://fonts\.googleapis\.com/css"):
        make_docs_self_contained(site)
    assert (site / "index.html").read_text() == "<html>fetches manifest.json</html>"


@pytest.mark.parametrize(
    "description",
    [
        "Our logo: ![logo](https://cdn.example.com/logo.png)",
        'See <img src="//cdn.example.com/logo.png"> here',
        "<iframe src='https://cdn.example.com/logo.png'></iframe>",
    ],
)
def test_a_description_embedding_a_remote_file_is_refused(tmp_path: Path, description: str) -> None:
    site = static_site(tmp_path, {"nodes": {"model.argo.x": {"description": description}}})
    with pytest.raises(TransformError, match=r"fetch (https:)?//cdn\.example\.com/logo\.png"):
        make_docs_self_contained(site)


def test_a_link_in_a_description_is_fine(tmp_path: Path) -> None:
    text = "Meta's [insights API](https://developers.facebook.com/docs/marketing-api/insights)"
    site = static_site(tmp_path, {"nodes": {"model.argo.x": {"description": text}}})
    assert "developers.facebook.com" in make_docs_self_contained(site).read_text()


def test_the_page_dbt_ships_has_nothing_remote_once_cleaned() -> None:
    """dbt's own page: the tracker is found and switched off; what is left is never fetched."""
    from dbt.task.docs import DOCS_INDEX_FILE_PATH

    page = Path(DOCS_INDEX_FILE_PATH).read_text(encoding="utf-8")
    assert "turn_on_tracking:function(){" in page and DOCS_TRACKER_HOSTS[0] in page
    assert remote_references(page) == []


def test_docs_dir_follows_dbt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from argo.settings import PROJECT_DIR

    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    assert docs_dir() == PROJECT_DIR / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    assert docs_dir() == tmp_path
    assert docs_dir(["docs", "generate", "--target-path", "elsewhere"]) == PROJECT_DIR / "elsewhere"


def test_without_chromium_the_message_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(chromium.CHROMIUM_ENV, "/nonexistent/chromium")
    with pytest.raises(chromium.ChromiumMissing, match="sudo apt-get install chromium"):
        chromium.chromium_binary()
    monkeypatch.delenv(chromium.CHROMIUM_ENV)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(chromium.ChromiumMissing, match=r"\.ci/run"):
        chromium.chromium_binary()
