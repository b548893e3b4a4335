"""Parsers of AppsFlyer CSV answers: column selection by name, triples, nulls, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ingestion.sources.appsflyer import tables
from ingestion.sources.errors import SourceDataError

LOADED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
AGG_HEADER = (
    "Date,Agency/PMD (af_prt),Media Source (pid),Campaign (c),Impressions,Clicks,CTR,Installs,"
    "Conversion Rate,Sessions,Loyal Users,Loyal Users/Installs,Total Revenue,Total Cost,ROI,"
    "ARPU,Average eCPI,af_purchase (Unique users),af_purchase (Event counter),"
    "af_purchase (Sales in USD),my event (x) (Unique users),my event (x) (Event counter),"
    "my event (x) (Sales in USD)"
)


def agg(*rows: str, header: str = AGG_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_aggregate_rows_and_event_triples() -> None:
    text = agg(
        '2026-01-01,,Facebook Ads,Spring,"1,200",30,2.5,7,23.33,20,3,0.43,12.50,40.00,-68.75,'
        "1.79,5.71,2,3,12.5,0,0,0",
        "2026-01-01,None,Organic,,N/A,N/A,N/A,50,N/A,90,10,0.2,0,N/A,N/A,0,N/A,N/A,,N/A,4,4,0",
    )
    daily, events = tables.aggregate_tables("com.app", "partners_by_date_report", text, LOADED)
    assert daily.schema == tables.PARTNERS_DAILY.schema()
    rows = daily.to_pylist()
    assert rows[0] == {
        "app_id": "com.app",
        "date": date(2026, 1, 1),
        "agency": None,
        "media_source": "Facebook Ads",
        "campaign": "Spring",
        "impressions": 1200,
        "clicks": 30,
        "installs": 7,
        "sessions": 20,
        "loyal_users": 3,
        "total_revenue": Decimal("12.5000"),
        "total_cost": Decimal("40.0000"),
        "_loaded_at": LOADED,
    }
    assert (rows[1]["impressions"], rows[1]["total_cost"], rows[1]["campaign"]) == (
        None,
        None,
        None,
    )
    got = [
        (e["media_source"], e["event_name"], e["unique_users"], e["event_count"], e["sales_usd"])
        for e in events.to_pylist()
    ]
    # the all-zero triple is skipped; the name keeps its own parentheses
    assert got == [
        ("Facebook Ads", "af_purchase", 2, 3, Decimal("12.5000")),
        ("Organic", "my event (x)", 4, 4, Decimal("0.0000")),
    ]


def test_geo_report_needs_its_country_column() -> None:
    with pytest.raises(SourceDataError, match=r"no column 'Country'.*app_id=com\.app"):
        tables.aggregate_tables("com.app", "geo_by_date_report", agg(), LOADED)
    header = AGG_HEADER.replace("Date,", "Date,Country,", 1)
    row = "2026-01-01,kr,,Organic,,N/A,N/A,N/A,5,N/A,9,1,0.2,0,N/A,N/A,0,N/A,0,0,0,0,0,0"
    daily, _ = tables.aggregate_tables(
        "com.app", "geo_by_date_report", agg(row, header=header), LOADED
    )
    assert daily.column("country_code").to_pylist() == ["KR"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [("seven", "not a number"), ("7.5", "not a whole number")],
)
def test_malformed_number_names_line_and_column(cell: str, message: str) -> None:
    row = f"2026-01-01,,Organic,,N/A,N/A,N/A,{cell},N/A,9,1,0.2,0,N/A,N/A,0,N/A,0,0,0,0,0,0"
    with pytest.raises(SourceDataError, match=message) as error:
        tables.aggregate_tables("id123", "partners_by_date_report", agg(row), LOADED)
    assert "field 'Installs'" in str(error.value)
    assert "app_id=id123, report=partners_by_date_report, line=2" in str(error.value)


def test_incomplete_triple_and_ragged_row_are_errors() -> None:
    header = AGG_HEADER.removesuffix(",my event (x) (Sales in USD)")
    with pytest.raises(SourceDataError, match="lacks some of its three columns"):
        tables.aggregate_tables("a", "partners_by_date_report", agg(header=header), LOADED)
    with pytest.raises(SourceDataError, match="a row has 3 cells"):
        tables.aggregate_tables("a", "partners_by_date_report", agg("1,2,3"), LOADED)
    with pytest.raises(SourceDataError, match="empty"):
        tables.aggregate_tables("a", "partners_by_date_report", "", LOADED)


RAW_HEADER = (
    "Attributed Touch Type,Attributed Touch Time,Install Time,Event Time,Event Name,Event Value,"
    "Event Revenue,Event Revenue Currency,Event Revenue USD,Partner,Media Source,Channel,Campaign,"
    "Campaign ID,Adset,Adset ID,Ad,Ad ID,Country Code,AppsFlyer ID,Platform,App ID"
)


def test_raw_events_by_header_name() -> None:
    text = (
        "\ufeff"
        + RAW_HEADER
        + "\nclick,2026-01-01 09:00:00,2026-01-01 09:30:00,2026-01-01 10:00:01,af_purchase,"
        '"{""af_revenue"":""9.99""}",9.99,USD,9.99,,Facebook Ads,Facebook,C,1,S,2,A,3,kr,af-1,'
        "android,com.app\n"
        ",,2026-01-01 23:00:00,2026-01-01 23:59:59,af_complete_registration,,,,,,organic,,,,,,,,"
        "KR,af-2,android,com.app\n"
    )
    table = tables.raw_table("com.app", "in_app_events_report", text, LOADED)
    first, second = table.to_pylist()
    assert first["event_time"] == datetime(2026, 1, 1, 10, 0, 1)
    assert first["event_date"] == date(2026, 1, 1)
    assert first["event_value"] == '{"af_revenue":"9.99"}'
    assert (first["event_revenue_usd"], first["country_code"]) == (Decimal("9.9900"), "KR")
    assert (second["event_revenue_usd"], second["campaign_id"]) == (None, None)
    installs = tables.raw_table("com.app", "installs_report", text, LOADED)
    assert installs.column("install_date").to_pylist() == [date(2026, 1, 1)] * 2
    assert installs.column("attributed_touch_time").to_pylist()[1] is None


def test_raw_bad_time_and_missing_column() -> None:
    row = ",,01/01/2026,2026-01-01 10:00:00,install" + ",x" * 17
    with pytest.raises(SourceDataError, match="field 'Install Time'"):
        tables.raw_table("a", "installs_report", RAW_HEADER + "\n" + row + "\n", LOADED)
    header = RAW_HEADER.replace(",AppsFlyer ID", ",Appsflyer Id")
    with pytest.raises(SourceDataError, match=r"no column 'AppsFlyer ID'.*report=installs_report"):
        tables.raw_table("a", "installs_report", header + "\n", LOADED)
