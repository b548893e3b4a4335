"""The ten questions of docs/ae-questions.md run on the demo warehouse and answer something."""

from __future__ import annotations

import re

import duckdb
import pytest

from argo.settings import PROJECT_DIR
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.e2e

QUESTIONS = PROJECT_DIR / "docs" / "ae-questions.md"


def questions() -> dict[str, str]:
    """Each question's title -> its SQL."""
    text = QUESTIONS.read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+\. .+?)\n\n```sql\n(.*?)```", text, re.M | re.S)
    return dict(found)


def test_there_are_ten_questions_each_with_its_sql() -> None:
    assert [title.split(".")[0] for title in questions()] == [str(n) for n in range(1, 11)]


def test_every_question_is_answered_on_the_demo(demo: Demo) -> None:
    with duckdb.connect(str(demo.warehouse)) as con:
        for title, sql in questions().items():
            rows = con.execute(sql).fetchall()
            assert rows, f"{title}: no row on the demo"
            assert any(v is not None for v in rows[0]), f"{title}: {rows[:3]}"
