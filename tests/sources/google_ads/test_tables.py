"""GAQL rows to Arrow: flattening, exact money, errors that name the record; the report window."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ingestion.sources import arrow
from ingestion.sources.dates import Lookback, date_chunks
from ingestion.sources.errors import SourceDataError, SourceError
from ingestion.sources.google_ads import tables
from ingestion.sources.google_ads.client import normalize_customer_id

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def ad_row(**metrics: object) -> dict[str, object]:
    return {
        "campaign": {"id": "11"},
        "adGroup": {"id": "22"},
        "adGroupAd": {"resourceName": "customers/1/adGroupAds/22~33", "ad": {"id": "33"}},
        "segments": {"date": "2026-11-19"},
        "metrics": {"impressions": "10", "clicks": "2", "costMicros": "1234567", **metrics},
    }


def test_query_is_derived_from_the_columns() -> None:
    text = tables.AD_PERFORMANCE.query(date(2026, 11, 1), date(2026, 11, 2))
    assert text.startswith("SELECT segments.date, campaign.id, ad_group.id, ad_group_ad.ad.id, ")
    assert text.count("metrics.cost_micros") == 1
    assert text.endswith(
        "FROM ad_group_ad WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-02'"
    )
    assert tables.KEYWORDS.query().endswith("WHERE ad_group_criterion.type = KEYWORD")


def test_rows_are_flattened_with_exact_money() -> None:
    table = tables.AD_PERFORMANCE.to_arrow(
        [ad_row(conversions=1.5, conversionsValue=1234.56)],
        customer_id="1234567890",
        loaded_at=NOW,
    )
    row = table.to_pylist()[0]
    assert row["customer_id"] == "1234567890" and row["ad_id"] == "33"
    assert row["segments_date"] == date(2026, 11, 19)
    assert row["cost_micros"] == 1234567 and row["cost"] == Decimal("1.234567")
    assert row["conversions"] == 1.5 and row["conversions_value"] == Decimal("1234.56")
    assert row["all_conversions"] == 0.0, "absent (proto3 JSON leaves zeros out): 0"
    assert table.schema.field("cost").type == tables.MONEY


@pytest.mark.parametrize(
    ("metrics", "error"),
    [
        ({"impressions": "-1"}, "negative"),
        ({"costMicros": "abc"}, "bad value"),
        ({"conversions": float("nan")}, "not a finite number"),
        ({"clicks": True}, "not a number"),
    ],
)
def test_bad_values_name_the_record(metrics: dict[str, object], error: str) -> None:
    row = ad_row()
    row["metrics"] = {**row["metrics"], **metrics}  # type: ignore[dict-item]
    with pytest.raises(SourceDataError, match=error) as err:
        tables.AD_PERFORMANCE.to_arrow([row], customer_id="1234567890", loaded_at=NOW)
    assert "ad_id=33" in str(err.value) and "segments_date=2026-11-19" in str(err.value)


def test_customer_ids_are_normalized() -> None:
    assert normalize_customer_id("123-456-7890", "x") == "1234567890"
    with pytest.raises(SourceError, match="ten digits"):
        normalize_customer_id("12345", "login_customer_id")


def test_window_first_run_incremental_and_explicit() -> None:
    yesterday = date(2026, 11, 19)
    today = yesterday + timedelta(days=1)
    lookback = Lookback(lookback_days=30, initial_days=90, days_behind=1)
    first = lookback.window(today, newest_day_loaded=None)
    assert first == (date(2026, 8, 22), yesterday)
    again = lookback.window(today, newest_day_loaded=date(2026, 11, 16))
    assert again == (date(2026, 10, 18), yesterday), "30 days up to the newest day loaded"
    explicit = Lookback(
        lookback_days=30,
        initial_days=90,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
        days_behind=1,
    ).window(today, newest_day_loaded=date(2026, 11, 16))
    assert explicit == (date(2026, 1, 1), date(2026, 1, 31))


def test_date_chunks_cover_the_range_once() -> None:
    chunks = list(date_chunks(date(2026, 1, 1), date(2026, 3, 1), 30))
    assert chunks[0] == (date(2026, 1, 1), date(2026, 1, 30))
    assert chunks[-1][1] == date(2026, 3, 1)
    assert all(b[0].toordinal() == a[1].toordinal() + 1 for a, b in itertools.pairwise(chunks))


def test_absent_metrics_and_booleans_are_their_proto3_defaults() -> None:
    row = ad_row()
    row["metrics"] = {"impressions": "7"}  # no click, no cost, no conversion: all left out
    (loaded,) = tables.AD_PERFORMANCE.to_arrow(
        [row], customer_id="1234567890", loaded_at=NOW
    ).to_pylist()
    assert (loaded["impressions"], loaded["clicks"], loaded["cost_micros"]) == (7, 0, 0)
    assert loaded["cost"] == Decimal(0) and loaded["conversions_value"] == Decimal(0)
    assert (loaded["conversions"], loaded["all_conversions"]) == (0.0, 0.0)
    del row["metrics"]  # an object with nothing left in it is absent too
    (empty,) = tables.AD_PERFORMANCE.to_arrow(
        [row], customer_id="1234567890", loaded_at=NOW
    ).to_pylist()
    assert empty["impressions"] == 0 and empty["all_conversions_value"] == Decimal(0)
    keyword = {
        "adGroup": {"id": "22"},
        "campaign": {"id": "11"},
        "adGroupCriterion": {"criterionId": "44", "keyword": {"text": "shoes"}},
    }
    (criterion,) = tables.KEYWORDS.to_arrow(
        [keyword], customer_id="1234567890", loaded_at=NOW
    ).to_pylist()
    assert criterion["negative"] is False and criterion["cpc_bid_micros"] is None
    schema = tables.AD_PERFORMANCE.schema()
    assert not schema.field("clicks").nullable and schema.field("ad_id").nullable is False


@pytest.mark.parametrize(
    ("drop", "field"),
    [
        (("segments", "date"), "segments.date"),
        (("adGroupAd", "ad"), "ad_group_ad.ad.id"),
        (("adGroup", "id"), "ad_group.id"),
    ],
)
def test_a_row_without_a_key_field_names_the_record(drop: tuple[str, str], field: str) -> None:
    rows = [ad_row(), ad_row()]
    del rows[1][drop[0]][drop[1]]  # type: ignore[attr-defined]
    with pytest.raises(SourceDataError) as err:
        tables.AD_PERFORMANCE.to_arrow(rows, customer_id="1234567890", loaded_at=NOW)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"google_ads: ad_performance_daily: a row has no '{field}'")
    assert "record: customer 1234567890, ad_performance_daily FROM ad_group_ad" in message
    assert "campaign_id=11" in message and "What to do:" in message
    assert "=?" in message, "the missing key is shown as unknown"


def test_final_url_is_the_first_of_final_urls() -> None:
    def ad(**extra: object) -> dict[str, object]:
        return {
            "campaign": {"id": "1"},
            "adGroup": {"id": "2"},
            "adGroupAd": {"ad": {"id": "3", **extra}},
        }

    assert "ad_group_ad.ad.final_urls" in tables.ADS.query()
    rows = [ad(finalUrls=["https://a.example/x?y=1", "https://b.example/"]), ad(), ad(finalUrls=[])]
    table = tables.ADS.to_arrow(rows, customer_id="9", loaded_at=NOW)
    assert [r["final_url"] for r in table.to_pylist()] == ["https://a.example/x?y=1", None, None]
    with pytest.raises(SourceDataError, match="final_url"):
        tables.ADS.to_arrow([ad(finalUrls="https://a.example/")], customer_id="9", loaded_at=NOW)


@pytest.mark.parametrize(
    "micros",
    [["1234567", "0", None, "999999999999999999"], [1234560000, 5], [7.0, 8.0], [None, None]],
)
def test_cost_of_a_page_at_once_equals_each_value_alone(micros: list[object]) -> None:
    fast = arrow.vectorised(tables._micros_to_money)
    assert fast is not None
    found = fast(micros)
    assert found is not None, f"the page {micros} was parsed one value at a time"
    assert found.to_pylist() == [tables._micros_to_money(m) for m in micros]
    assert found.type == tables.MONEY


@pytest.mark.parametrize(
    ("micros", "error"),
    [("-5", "a negative count: '-5'"), ("1.5", "not a whole number: '1.5'")],
)
def test_a_bad_cost_in_a_page_names_its_row(micros: str, error: str) -> None:
    rows = [ad_row() for _ in range(30)]
    rows[7] = ad_row(costMicros=micros)
    rows[7]["adGroupAd"]["ad"]["id"] = "77"  # type: ignore[index]
    rows[9] = ad_row(costMicros=micros)
    with pytest.raises(SourceDataError) as found:
        tables.AD_PERFORMANCE.to_arrow(rows, customer_id="1", loaded_at=NOW)
    assert f"field 'metrics.cost_micros' has a bad value ({error})" in str(found.value)
    assert "ad_id=77" in str(found.value)


def test_a_page_of_rows_read_at_once_equals_each_row_read_alone() -> None:
    rows = [ad_row(conversions=i / 3, conversionsValue=i * 1.25) for i in range(25)]
    rows[3]["metrics"] = {"impressions": "1"}  # type: ignore[index]
    rows[4]["segments"] = {"date": "2026-11-18"}
    page = tables.AD_PERFORMANCE.to_arrow(rows, customer_id="1", loaded_at=NOW)
    alone = [
        tables.AD_PERFORMANCE.to_arrow([row], customer_id="1", loaded_at=NOW).to_pylist()[0]
        for row in rows
    ]
    assert page.to_pylist() == alone


RESOURCE_NAMES = ["customers/1/conversionActions/42", "", None, "7", "x/\ny", "a\nb/c", "/z"]


def test_resource_ids_of_a_page_are_those_read_one_at_a_time() -> None:
    parse = tables.CONVERSION_SEGMENTS[0].parse
    page = arrow.vectorised(parse)
    assert page is not None
    found = page(RESOURCE_NAMES)
    assert found is not None
    assert found.to_pylist() == [parse(v) for v in RESOURCE_NAMES]
    assert page([*RESOURCE_NAMES, "customers/1/conversionActions/"]) is None, "one at a time"
    assert page([42]) is None, "a number: one at a time (its digits)"
