"""Parsing Graph API rows into Arrow: types, the actions join, and errors that name the record."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ingestion.sources import arrow
from ingestion.sources.errors import SourceDataError
from ingestion.sources.meta_ads import tables

LOADED = datetime(2026, 11, 1, tzinfo=UTC)


def insight(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "account_id": "101",
        "ad_id": "9001",
        "date_start": "2026-10-01",
        "date_stop": "2026-10-01",
        "account_currency": "KRW",
        "campaign_id": "501",
        "campaign_name": "c",
        "adset_id": "701",
        "adset_name": "s",
        "ad_name": "a",
        "impressions": "1200",
        "clicks": "31",
        "spend": "15230",
        "reach": "990",
    }
    row.update(overrides)
    return row


def test_insights_parse_strings_into_typed_columns() -> None:
    table = arrow.to_table(
        [insight(), insight(ad_id="9002", spend="12.345678")],
        tables.INSIGHTS,
        loaded_at=LOADED,
    )
    rows = table.to_pylist()
    assert [r["impressions"] for r in rows] == [1200, 1200]
    assert rows[0]["spend"] == Decimal("15230")
    assert rows[1]["spend"] == Decimal("12.3457")
    assert rows[0]["date_start"] == date(2026, 10, 1)
    assert table.schema.field("spend").type == tables.MONEY
    assert set(table.column("_loaded_at").to_pylist()) == {LOADED}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("spend", "-3.10", "negative amount"),
        ("spend", "12,000", "not a number"),
        ("impressions", "lots", "not a number"),
        ("clicks", "-1", "negative count"),
        ("date_start", "2026-02-30", "day is out of range"),
    ],
)
def test_bad_values_name_source_record_field_and_reason(
    field: str, value: str, reason: str
) -> None:
    with pytest.raises(SourceDataError) as err:
        arrow.to_table(
            [insight(), insight(ad_id="9002", **{field: value})],
            tables.INSIGHTS,
            loaded_at=LOADED,
        )
    message = str(err.value)
    assert message.startswith("meta_ads: ads_insights")
    assert f"'{field}'" in message and reason in message
    assert "ad_id=9002" in message


def test_missing_required_field_is_an_error() -> None:
    row = insight()
    del row["ad_id"]
    with pytest.raises(SourceDataError, match="required field 'ad_id' is missing"):
        arrow.to_table(
            [row],
            tables.INSIGHTS,
            loaded_at=LOADED,
        )


def test_actions_and_values_are_joined_on_action_type() -> None:
    rows = tables.explode_actions(
        [
            insight(
                actions=[
                    {"action_type": "purchase", "value": "3"},
                    {"action_type": "link_click", "value": "31"},
                ],
                action_values=[
                    {"action_type": "purchase", "value": "99.5"},
                    {"action_type": "app_custom_event.fb_mobile_purchase", "value": "10"},
                ],
            ),
            insight(ad_id="9002"),
        ]
    )
    by_type = {r["action_type"]: r for r in rows}
    assert set(by_type) == {"purchase", "link_click", "app_custom_event.fb_mobile_purchase"}
    assert by_type["purchase"]["action_count"] == "3"
    assert by_type["purchase"]["action_value"] == "99.5"
    assert "action_value" not in by_type["link_click"]
    assert "action_count" not in by_type["app_custom_event.fb_mobile_purchase"]
    table = arrow.to_table(rows, tables.ACTIONS, loaded_at=LOADED)
    assert table.num_rows == 3
    assert table.column("action_value").null_count == 1


def test_malformed_actions_array_is_an_error() -> None:
    with pytest.raises(SourceDataError, match="no action_type"):
        tables.explode_actions([insight(actions=[{"value": "3"}])])
    with pytest.raises(SourceDataError, match="is not a list"):
        tables.explode_actions([insight(actions="purchase")])


def test_graph_timestamps_and_creative_are_flattened() -> None:
    row = tables.flatten_ad(
        {
            "id": "1",
            "account_id": "2",
            "campaign_id": "3",
            "adset_id": "4",
            "creative": {"id": "77"},
            "created_time": "2026-08-01T09:00:00+0900",
        }
    )
    table = arrow.to_table([row], tables.ADS, loaded_at=LOADED)
    parsed = table.to_pylist()[0]
    assert parsed["creative_id"] == "77"
    assert parsed["created_time"] == datetime(2026, 8, 1, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "link"),
    [
        ({"link_data": {"link": "https://a.example/l?u=1"}}, "https://a.example/l?u=1"),
        (
            {"video_data": {"call_to_action": {"value": {"link": "https://v.example/"}}}},
            "https://v.example/",
        ),
        ({"link_data": {}}, None),  # a lead form: no link
        (None, None),  # a creative from an existing post: no object_story_spec
    ],
)
def test_creative_link_from_link_or_video_data(spec: object, link: str | None) -> None:
    creative: dict[str, object] = {"id": "77"}
    if spec is not None:
        creative["object_story_spec"] = spec
    row = tables.flatten_ad({"id": "1", "creative": creative})
    assert (row["creative_id"], row["creative_link"]) == ("77", link)
    assert "object_story_spec{link_data{link}" in ",".join(tables.AD_FIELDS)


PURCHASE = {"action_type": "purchase", "value": "3"}
PAGES = {
    "joined and value-only types": [
        insight(
            actions=[PURCHASE, {"action_type": "link_click", "value": "31"}],
            action_values=[
                {"action_type": "app_install", "value": "10"},
                {"action_type": "purchase", "value": "99.5"},
            ],
        ),
        insight(ad_id="9002"),
        insight(ad_id="9003", actions=[], action_values=[{"action_type": "lead", "value": "4"}]),
        insight(ad_id="9004", actions=[{"action_type": "view"}]),
    ],
    "no actions at all": [insight(), insight(ad_id="9002", actions=[])],
    "numbers, not texts": [insight(actions=[{"action_type": "a", "value": 3}])],
    "a type twice in a row": [insight(actions=[PURCHASE, {**PURCHASE, "value": "4"}])],
    "texts and numbers mixed": [
        insight(actions=[PURCHASE]),
        insight(ad_id="9002", actions=[{"action_type": "a", "value": 4}]),
    ],
    "a negative count": [insight(actions=[{**PURCHASE, "value": "-1"}])],
    "an action without a type": [insight(actions=[{"value": "3"}])],
    "an empty type": [insight(actions=[{"action_type": "", "value": "3"}])],
    "actions not a list": [insight(actions="purchase")],
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_actions_read_column_wise_are_the_rows_exploded_one_by_one(
    page: list[dict[str, object]],
) -> None:
    """The column-wise read makes the same table, or leaves the page to the row-wise one."""

    def exploded() -> object:
        try:
            return arrow.to_table(tables.explode_actions(page), tables.ACTIONS, loaded_at=LOADED)
        except SourceDataError as exc:
            return str(exc)

    columns = tables.action_columns(page)
    if columns is None:
        return  # read row by row, as before
    try:
        found: object = arrow.columns_to_table(
            columns,
            tables.ACTIONS,
            loaded_at=LOADED,
            records=lambda: tables.explode_actions(page),
        )
    except SourceDataError as exc:
        found = str(exc)
    assert found == exploded()


def test_actions_of_ordinary_pages_are_read_column_wise() -> None:
    assert tables.action_columns(PAGES["joined and value-only types"]) is not None
    assert tables.action_columns(PAGES["a negative count"]) is not None
    assert tables.action_columns(PAGES["a type twice in a row"]) is None


INSIGHT_PAGES = {
    **PAGES,
    "numbers": [insight(), insight(ad_id="9002", impressions=1200, spend=15.5)],
    "a bad spend": [insight(), insight(ad_id="9002", spend="-3")],
    "no impressions": [insight(), {k: v for k, v in insight(ad_id="9002").items() if k != "reach"}],
    "a blank name": [insight(ad_name=""), insight(ad_id="9002", adset_name=" s ")],
    "a field not asked for": [insight(extra={"a": [1, "x"]})],
}


@pytest.mark.parametrize("page", INSIGHT_PAGES.values(), ids=INSIGHT_PAGES.keys())
def test_an_insight_page_read_at_once_equals_its_rows_read_field_by_field(
    page: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingestion.sources.meta_ads.source import _insight_tables

    def made() -> object:
        try:
            return [getattr(t, "data", t) for t in _insight_tables(page, LOADED)]
        except SourceDataError as exc:
            return str(exc)

    found = made()
    with monkeypatch.context() as patched:
        patched.setattr(tables, "insight_page", lambda _: None)
        assert made() == found


def test_ordinary_insight_pages_are_read_at_once() -> None:
    assert tables.insight_page(PAGES["joined and value-only types"]) is not None
    assert tables.insight_page(INSIGHT_PAGES["numbers"]) is None  # read field by field
    assert tables.insight_page([]) is None
