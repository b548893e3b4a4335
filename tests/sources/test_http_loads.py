"""``http.loads``: JSON bodies parsed to the same objects, and refused alike, as ``json.loads``."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any

import pytest

from ingestion.sources import http

BODIES = [
    b'{"data": [{"id": "1", "spend": "12.50", "imp": 1092, "ctr": 1.01}], "paging": {}}',
    b'{"a": 1, "a": 2}',  # the last of a repeated key
    b"123456789012345678",  # 18 digits: read by orjson, exactly
    b"-123456789012345678",
    b'{"a": 9223372036854775808}',  # beyond int64: json's int, not orjson's float
    b'{"a": 18446744073709551616}',
    b'{"a": -9223372036854775809}',
    b"123456789012345678901234567890",
    b"1e400",  # json reads inf, orjson refuses
    b"-1e-400",
    b"NaN",
    b"[Infinity, -Infinity]",
    b"-0",
    b"-0.0",
    b'"\\ud800"',  # a lone surrogate
    b'\xef\xbb\xbf{"a": 1}',  # a byte-order mark
    '{"a": "광고"}'.encode("utf-16"),
    '{"name": "광고 캠페인"}'.encode(),
    b"[1e308, 2.2250738585072014e-308, 5e-324, 0.1, 0.30000000000000004]",
]
INVALID = [b"", b'"a\tb"', b'{"a": 1} x', b"[1,]", b"01", b'"\xff"', b'{"a": tru}']


def _parsed(body: bytes, parse: Any) -> tuple[str, Any]:
    try:
        return "value", repr(parse(body))
    except ValueError as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("body", BODIES + INVALID)
def test_loads_is_json_loads(body: bytes) -> None:
    assert _parsed(body, http.loads) == _parsed(body, json.loads)


def test_loads_reads_doubles_as_json_does() -> None:
    rng = random.Random(7)
    numbers = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(5000)]
    texts = [repr(n) for n in numbers if math.isfinite(n)]
    texts += [
        f"{rng.random() * 10 ** rng.randint(-6, 12):.{rng.randint(0, 17)}f}" for _ in range(5000)
    ]
    body = ("[" + ",".join(texts) + "]").encode()
    found, expected = http.loads(body), json.loads(body)
    assert [struct.pack("d", n) for n in found] == [struct.pack("d", n) for n in expected]


def test_loads_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "_orjson_loads", None)
    assert http.loads(b'{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}


def test_payload_of_an_invalid_body_raises_as_before() -> None:
    class Answer:
        content = b'{"data": [1, 2'

    with pytest.raises(ValueError, match="body is not valid JSON"):
        http.payload(Answer())  # type: ignore[arg-type]
