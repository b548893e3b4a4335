"""The SpcdeInfoService fake speaks data.go.kr's protocol, quirks and gateway errors included."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date
from typing import Any
from urllib.parse import quote

import holidays
import pytest
import requests

from ingestion.sandbox import Faults, World
from ingestion.sandbox.kr_holidays_api import KrHolidaysFake, api_name
from tests.fake_fixtures import serving

fake = serving(KrHolidaysFake)


def get(fake: KrHolidaysFake, key: str | None = None, **params: Any) -> requests.Response:
    """One call with the key encoded once (or ``key`` as given, already encoded)."""
    encoded = key if key is not None else quote(fake.service_key, safe="")
    query = "&".join(f"{k}={v}" for k, v in {"_type": "json", **params}.items())
    return requests.get(f"{fake.base_url}/getRestDeInfo?serviceKey={encoded}&{query}", timeout=5)


def gateway(response: requests.Response) -> tuple[str, str]:
    header = ElementTree.fromstring(response.text).find("cmmMsgHeader")
    assert header is not None
    return header.findtext("returnReasonCode") or "", header.findtext("returnAuthMsg") or ""


def test_a_month_of_several_holidays_is_a_list_in_the_documented_envelope(
    fake: KrHolidaysFake,
) -> None:
    year = fake.world.as_of.year
    month = next(m for m in range(1, 13) if len(fake.served(year, m)) >= 3)  # 설날 or 추석
    body = get(fake, solYear=year, solMonth=f"{month:02d}", numOfRows=100).json()
    assert body["response"]["header"] == {"resultCode": "00", "resultMsg": "NORMAL SERVICE."}
    items = body["response"]["body"]["items"]["item"]
    package = holidays.country_holidays("KR", years=year)
    assert isinstance(items, list) and items == fake.served(year, month)
    assert {"설날", "추석"} & {i["dateName"] for i in items}
    for item in items:
        assert set(item) == {"dateKind", "dateName", "isHoliday", "locdate", "seq"}
        assert isinstance(item["locdate"], int) and item["isHoliday"] == "Y"
        day = date(item["locdate"] // 10000, item["locdate"] // 100 % 100, item["locdate"] % 100)
        assert day in package
    assert body["response"]["body"]["totalCount"] == len(items)


def test_one_result_is_an_object_and_none_is_an_empty_string(fake: KrHolidaysFake) -> None:
    year = fake.world.as_of.year
    january = get(fake, solYear=year, solMonth="01").json()["response"]["body"]
    assert january["items"]["item"] == {
        "dateKind": "01",
        "dateName": "1월1일",
        "isHoliday": "Y",
        "locdate": int(f"{year}0101"),
        "seq": 1,
    }
    april = get(fake, solYear=year, solMonth="04").json()["response"]["body"]
    assert april["items"] == "" and april["totalCount"] == 0
    assert fake.shapes == {"list": 0, "object": 1, "empty": 1}


def test_pages_with_num_of_rows_and_page_no(fake: KrHolidaysFake) -> None:
    year = fake.world.as_of.year
    everything = fake.served(year)
    assert len(everything) > 10
    first = get(fake, solYear=year).json()["response"]["body"]  # no solMonth: the whole year
    assert first["numOfRows"] == 10 and first["totalCount"] == len(everything)
    assert first["items"]["item"] == everything[:10]
    pages = [
        get(fake, solYear=year, numOfRows=7, pageNo=p).json()["response"]["body"]
        for p in range(1, 5)
    ]
    got: list[Any] = []
    for page in pages:
        item = page["items"]["item"] if page["items"] else []
        got.extend([item] if isinstance(item, dict) else item)
    assert got == everything


def test_substitute_and_doubled_days_follow_the_package(world: World) -> None:
    fake = KrHolidaysFake(world)
    served = fake.served(2025, 5)  # 5 May: Children's Day and Buddha's Birthday; 6 May substitute
    assert [(i["locdate"], i["seq"]) for i in served] == [
        (20250505, 1),
        (20250505, 2),
        (20250506, 1),
    ]
    assert served[2]["dateName"] == "대체공휴일"
    assert api_name("설날 전날") == "설날" and api_name("신정연휴") == "1월1일"
    every_day = {i["locdate"] for y in (2024, 2025, 2026) for i in fake.served(y)}
    package = {
        int(d.strftime("%Y%m%d"))
        for y in (2024, 2025, 2026)
        for d in holidays.country_holidays("KR", years=y)
    }
    assert every_day == package


def test_the_key_must_arrive_encoded_exactly_once(fake: KrHolidaysFake) -> None:
    year = fake.world.as_of.year
    assert get(fake, solYear=year, solMonth="02").json()["response"]["header"]["resultCode"] == "00"
    twice = quote(quote(fake.service_key, safe=""), safe="")
    for key in (twice, "wrong", ""):
        answer = get(fake, key=key, solYear=year, solMonth="02")
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/xml")
        assert gateway(answer) == ("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")
    assert all("serviceKey" not in q for _, _, q in fake.requests), "the key is never logged"


def test_gateway_errors_quota_expiry_and_fault_hooks(fake: KrHolidaysFake, faults: Faults) -> None:
    year = fake.world.as_of.year
    faults.expire_token()
    assert gateway(get(fake, solYear=year)) == ("31", "DEADLINE_HAS_EXPIRED_ERROR")
    faults.restore_token()
    fake.daily_quota = fake.calls + 1
    assert get(fake, solYear=year).status_code == 200
    over = get(fake, solYear=year)
    assert (over.status_code, gateway(over)[0]) == (200, "22")
    fake.daily_quota = None
    faults.rate_limit_next(1)
    assert gateway(get(fake, solYear=year)) == (
        "22",
        "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR",
    )
    faults.throttle_next(1, retry_after=2)
    throttled = get(fake, solYear=year)
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "2")
    faults.fail_next(1, status=503)
    failed = get(fake, solYear=year)
    assert (failed.status_code, gateway(failed)[0]) == (503, "04")
    faults.truncate_next(1)
    with pytest.raises(ValueError):
        get(fake, solYear=year).json()
    assert gateway(get(fake, solYear="20x6")) == ("10", "INVALID_REQUEST_PARAMETER_ERROR")


def test_xml_without_type_json(fake: KrHolidaysFake) -> None:
    year = fake.world.as_of.year
    url = f"{fake.base_url}/getRestDeInfo?serviceKey={quote(fake.service_key, safe='')}"
    answer = requests.get(f"{url}&solYear={year}&solMonth=02", timeout=5)
    root = ElementTree.fromstring(answer.text)
    assert root.findtext("header/resultCode") == "00"
    assert [i.findtext("dateName") for i in root.iter("item")] == [
        i["dateName"] for i in fake.served(year, 2)
    ]


def test_announced_and_withheld_days_and_unpublished_years(fake: KrHolidaysFake) -> None:
    year = fake.world.as_of.year
    fake.announce(date(year, 4, 15))
    fake.withhold(date(year, 1, 1))
    assert [i["locdate"] for i in fake.served(year, 4)] == [int(f"{year}0415")]
    assert fake.served(year, 1) == []
    assert fake.served(year + 1) and not fake.served(year + 2)
    assert get(fake, solYear=year + 2, solMonth="01").json()["response"]["body"]["items"] == ""
