"""Parsing data.go.kr answers: envelope shapes, items, fields, the service key, the package."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from requests import Response

from ingestion.sources import arrow
from ingestion.sources.datagokr import items_of, total_of
from ingestion.sources.errors import SourceAuthError, SourceDataError
from ingestion.sources.kr_holidays.client import classify, normalize_service_key
from ingestion.sources.kr_holidays.tables import (
    HOLIDAYS,
    SOURCE,
    is_substitute,
    package_holidays,
    package_items,
    parse_item,
)

ITEM = {"dateKind": "01", "dateName": "설날", "isHoliday": "Y", "locdate": 20260216, "seq": 1}
GATEWAY_30 = (
    "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
    "<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
    "<returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
)


def response(text: str, status: int = 200) -> Response:
    made = Response()
    made.status_code = status
    made._content = text.encode()
    return made


def test_items_come_as_a_list_an_object_or_an_empty_string() -> None:
    assert items_of({"items": {"item": [ITEM, ITEM]}}, "r", SOURCE) == [ITEM, ITEM]
    assert items_of({"items": {"item": ITEM}}, "r", SOURCE) == [ITEM]
    assert items_of({"items": ""}, "r", SOURCE) == []
    assert items_of({"items": None}, "r", SOURCE) == []
    with pytest.raises(SourceDataError, match=r"unexpected shape.*\[record: month 2\]"):
        items_of({"items": ["nope"]}, "month 2", SOURCE)
    with pytest.raises(SourceDataError):
        items_of({"items": {"item": ["nope"]}}, "r", SOURCE)


def test_total_count_is_a_number_or_a_numeric_string() -> None:
    assert total_of({"totalCount": 3}, "r", SOURCE) == 3
    assert total_of({"totalCount": "12"}, "r", SOURCE) == 12
    with pytest.raises(SourceDataError, match="totalCount"):
        total_of({"totalCount": "many"}, "r", SOURCE)
    with pytest.raises(SourceDataError, match="totalCount"):
        total_of({}, "r", SOURCE)


def test_parse_item_reads_every_field() -> None:
    row = parse_item(ITEM, 2026, 2)
    assert row == {
        "holiday_date": date(2026, 2, 16),
        "holiday_name": "설날",
        "is_holiday": True,
        "date_kind": "01",
        "seq": 1,
        "is_substitute": False,
        "year_month": "2026-02",
    }
    as_text = {
        **ITEM,
        "locdate": "20260302",
        "dateName": "대체공휴일",
        "isHoliday": "N",
        "seq": "2",
    }
    row = parse_item(as_text, 2026, 3)
    assert (row["holiday_date"], row["is_holiday"], row["seq"], row["is_substitute"]) == (
        date(2026, 3, 2),
        False,
        2,
        True,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"locdate": "2026-02-16"}, "field 'locdate' has a bad value"),
        ({"locdate": 20260231}, "field 'locdate' has a bad value"),
        ({"isHoliday": "yes"}, "field 'isHoliday' has a bad value"),
        ({"seq": "first"}, "field 'seq' has a bad value"),
        ({"dateName": ""}, "required field 'dateName' is missing"),
        ({"locdate": 20260316}, "a day outside the month asked for"),
    ],
)
def test_parse_item_names_the_record_of_a_bad_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceDataError) as error:
        parse_item({**ITEM, **change}, 2026, 2)
    assert message in str(error.value)
    assert "[record: solYear=2026, solMonth=02, locdate=" in str(error.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("대체공휴일", True),
        ("삼일절 대체 휴일", True),
        ("Alternative holiday for Independence Movement Day", True),
        ("Substitute Holiday", True),
        ("설날", False),
        ("Children's Day", False),
    ],
)
def test_is_substitute(name: str, expected: bool) -> None:
    assert is_substitute(name) is expected


def test_package_splits_two_holidays_on_one_day() -> None:
    days = package_holidays(2025)
    assert len(days[date(2025, 5, 5)]) == 2  # Children's Day and Buddha's Birthday
    items = [i for i in package_items(2025, 5) if i["locdate"] == 20250505]
    assert [i["seq"] for i in items] == [1, 2]
    assert {i["dateName"] for i in items} == set(days[date(2025, 5, 5)])


def test_table_has_the_schema_with_loaded_at_last() -> None:
    loaded_at = datetime(2026, 1, 1, tzinfo=UTC)
    row = {**parse_item(ITEM, 2026, 2), "provider": "data_go_kr", "matches_holidays_package": True}
    table = arrow.to_table([row], HOLIDAYS, loaded_at=loaded_at)
    assert table.schema == HOLIDAYS.schema()
    assert table.column_names[-1] == "_loaded_at"
    assert table.to_pylist()[0]["_loaded_at"] == loaded_at
    assert arrow.to_table([], HOLIDAYS, loaded_at=loaded_at).num_rows == 0


def test_classify_gateway_errors_in_xml_and_json_and_service_errors() -> None:
    xml = classify(response(GATEWAY_30))
    assert (xml.kind, xml.code) == ("error", "30")
    assert "SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in xml.message
    as_json = classify(
        response(
            '{"OpenAPI_ServiceResponse": {"cmmMsgHeader": {"errMsg": "SERVICE ERROR", '
            '"returnAuthMsg": "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", '
            '"returnReasonCode": "22"}}}',
            403,
        )
    )
    assert (as_json.kind, as_json.code) == ("error", "22")
    header = classify(response('{"response": {"header": {"resultCode": "10", "resultMsg": "X"}}}'))
    assert (header.kind, header.code, header.message) == ("error", "10", "X")
    no_data = classify(response('{"response": {"header": {"resultCode": "03"}}}'))
    assert no_data.kind == "ok" and items_of(no_data.body, "r", SOURCE) == []
    ok = classify(response('{"response": {"header": {"resultCode": "00"}, "body": {"items": ""}}}'))
    assert ok.kind == "ok" and ok.body == {"items": ""}
    assert classify(response('{"response": {"header": {"resultCo')).kind == "garbled"
    assert classify(response("<OpenAPI_ServiceResponse><cmmMsg")).kind == "garbled"


def test_service_key_is_decoded_once_whichever_form_is_configured() -> None:
    assert normalize_service_key("abc+def/ghi==") == "abc+def/ghi=="
    assert normalize_service_key("abc%2Bdef%2Fghi%3D%3D") == "abc+def/ghi=="
    assert normalize_service_key(" abc%2bdef%3d ") == "abc+def="
    with pytest.raises(SourceAuthError, match="not a URL escape") as error:
        normalize_service_key("abc%G0SECRET")
    assert "SECRET" not in str(error.value)
    with pytest.raises(SourceAuthError, match="empty"):
        normalize_service_key("  ")
