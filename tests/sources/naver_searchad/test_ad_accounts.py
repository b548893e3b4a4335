"""The Naver Search Ad source's ``ad_accounts`` table: exactly what ``GET /ad-accounts`` lists."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import World
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from ingestion.sources.naver_searchad import source
from tests.conftest import query

pytestmark = pytest.mark.pipeline

PLATFORM = "naver_searchad"
COLUMNS = (
    "customer_id, ad_account_no, ad_account_name, role_name, currency, timezone_id, "
    "disabled, deleted"
)


def quick(options: dict[str, Any], world: World) -> dict[str, Any]:
    """The options of a short run (two report days): the accounts do not depend on days."""
    start = world.as_of - timedelta(days=2)
    return {**options, "start_date": start.isoformat()}


def served(naver: NaverSearchAdFake, world: World) -> set[tuple[Any, ...]]:
    """The rows the fake lists, as the table should hold them."""
    rows = set()
    for account in world.accounts(PLATFORM):
        if account.account_id not in naver.member_of:
            continue
        item = naver._ad_account(account)
        detail = item["adAccount"]
        rows.add(
            (
                str(detail["masterCustomerId"]),
                str(item["adAccountNo"]),
                detail["name"],
                item["roleName"],
                detail["currency"],
                detail["timezoneId"],
                detail["disabled"],
                detail["deleted"],
            )
        )
    return rows


def loaded(warehouse: Path) -> set[tuple[Any, ...]]:
    return set(query(warehouse, f"select {COLUMNS} from raw_naver_searchad.ad_accounts"))


def test_loads_exactly_what_the_account_list_serves_page_by_page(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(source, "AD_ACCOUNTS_PAGE", 1)  # one account a page: paging read
    result = run_source(PLATFORM, **quick(naver_options, world))
    expected = served(naver, world)
    assert len(expected) >= 2 and loaded(warehouse) == expected
    assert {r[2] for r in expected} == {a.name for a in world.accounts(PLATFORM)}
    assert result.rows["ad_accounts"] == len(expected)
    pages = [q for method, path, q in naver.requests if (method, path) == ("GET", "/ad-accounts")]
    assert len(pages) == len(expected), "one request a page, stopped at the last"
    assert naver.rejected_signatures == 0


def test_a_customer_not_configured_is_not_loaded(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    first = naver_options["customer_ids"][0]
    run_source(PLATFORM, **quick({**naver_options, "customer_ids": [first]}, world))
    assert {r[0] for r in loaded(warehouse)} == {first}


def test_an_empty_list_loads_no_account_and_everything_else(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    naver.member_of = set()
    run_source(PLATFORM, **quick(naver_options, world))
    assert loaded(warehouse) == set(), "the table exists, empty"
    assert query(warehouse, "select count(*) from raw_naver_searchad.campaigns")[0][0] > 0


def test_a_customer_missing_from_the_list_has_no_row_and_keeps_an_earlier_one(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    first, *others = naver_options["customer_ids"]
    naver.member_of = {first}
    run_source(PLATFORM, **quick(naver_options, world))
    assert {r[0] for r in loaded(warehouse)} == {first}
    naver.member_of = set(others)
    run_source(PLATFORM, **quick(naver_options, world))
    naver.member_of = {first, *others}
    assert loaded(warehouse) == served(naver, world), "merged: the earlier row stays"


def test_an_account_without_customer_id_stops_the_run_naming_the_record(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = naver._ad_account

    def without_customer(account: Any) -> dict[str, Any]:
        item = original(account)
        del item["adAccount"]["masterCustomerId"]
        return item

    monkeypatch.setattr(naver, "_ad_account", without_customer)
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **quick(naver_options, world))
    message = str(error.value)
    assert "naver_searchad" in message and "ad_accounts" in message
    assert "ad-accounts page 0 item 0 (adAccountNo " in message
    assert "adAccount.masterCustomerId" in message


def test_an_answer_that_is_not_a_page_stops_the_run(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ingestion.sandbox.http import Reply

    monkeypatch.setattr(naver, "_ad_accounts", lambda request: Reply(200, []))
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **quick(naver_options, world))
    message = str(error.value)
    assert "ad_accounts" in message and "ad-accounts page 0" in message
    assert "not a page of ad accounts" in message
