"""Naver's TSV reports to Arrow: every value checked, a bad line named with its number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ingestion.sources.errors import SourceDataError
from ingestion.sources.naver_searchad.client import sign
from ingestion.sources.naver_searchad.tables import report_to_table

NOW = datetime(2026, 11, 24, tzinfo=UTC)
DAY = date(2026, 11, 20)
HEAD = (
    "20261120\t1234567\tcmp-a001-01-1\tgrp-a001-01-1\tnkw-a001-01-1\tnad-a001-01-1\tbsn-1\t27758\tP"
)


def test_ad_report_rows_parse_exactly() -> None:
    text = f"{HEAD}\t120\t7\t10450\t240\t0\n{HEAD.replace('nkw-a001-01-1', '-')}\t3\t0\t0\t6\t0\n"
    table = report_to_table(text, "AD", "1234567", DAY, NOW).to_pylist()
    assert [r["impressions"] for r in table] == [120, 3]
    assert table[0]["cost"] == Decimal("10450") and table[0]["stat_date"] == DAY
    assert table[1]["keyword_id"] == "-", "kept as reported; staging turns it into null"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (f"{HEAD}\t120\t7\t10450\t240", "13 fields"),
        (f"{HEAD}\t120\tseven\t10450\t240\t0", "not a number"),
        (f"{HEAD}\t120\t7\t-5\t240\t0", "negative"),
        (f"{HEAD.replace('20261120', '2026-11-20')}\t1\t0\t0\t0\t0", "YYYYMMDD"),
        (f"{HEAD.replace('1234567', '7654321')}\t1\t0\t0\t0\t0", "customer 7654321"),
    ],
)
def test_a_bad_line_names_the_report_the_line_and_the_value(line: str, reason: str) -> None:
    text = f"{HEAD}\t1\t0\t0\t0\t0\n{line}\n"
    with pytest.raises(SourceDataError) as error:
        report_to_table(text, "AD", "1234567", DAY, NOW)
    message = str(error.value)
    assert reason in message and "line 2" in message and "AD report for 20261120" in message


def test_conversion_rows_keep_method_and_type() -> None:
    text = f"{HEAD}\t1\tpurchase\t2\t59000\n{HEAD}\t2\tpurchase\t1\t0\n"
    rows = report_to_table(text, "AD_CONVERSION", "1234567", DAY, NOW).to_pylist()
    assert [(r["conversion_method"], r["conversion_type"], r["conversions"]) for r in rows] == [
        (1, "purchase", 2),
        (2, "purchase", 1),
    ]


def test_signature_matches_naver_sample_computation() -> None:
    # base64(HMAC-SHA256("secret", "1700000000000.GET./ncc/campaigns")), computed independently
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(
        hmac.new(b"secret", b"1700000000000.GET./ncc/campaigns", hashlib.sha256).digest()
    ).decode()
    assert sign("secret", "1700000000000", "get", "/ncc/campaigns") == expected
