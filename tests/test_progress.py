"""argo/progress.py: the live line on a terminal, one line per task elsewhere, the counters.

Every counter is fed as the run feeds it (an HTTP answer through the sources' shared
client, dlt's collector calls, dbt's events), on the session's frozen clock.
"""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from requests import Response

from argo.progress import REDRAW_EVERY, DbtListener, Once, Progress, RowCollector, table
from ingestion import clock
from ingestion.sources.http import HttpApi


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_terminal_one_line_when_a_task_ends_and_nothing_while_it_runs(
    frozen_clock: clock.FrozenClock,
) -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    assert progress.live is False
    progress.begin("meta_ads")
    progress.count("meta_ads", rows=500, pages=3, size=2_000_000)
    frozen_clock.sleep(4)
    progress.tick()
    assert stream.getvalue() == ""
    progress.end("meta_ads", "  meta_ads -> raw_meta_ads: ads 500 (4.0 s)")
    assert stream.getvalue() == "  meta_ads -> raw_meta_ads: ads 500 (4.0 s)\n"
    assert progress.tasks["meta_ads"].seconds(clock.monotonic() + 100) == 4


def test_on_a_terminal_a_live_line_with_rows_pages_mb_and_seconds(
    frozen_clock: clock.FrozenClock,
) -> None:
    stream = Terminal()
    progress = Progress(stream, width=200)
    assert progress.live is True
    progress.begin("meta_ads")
    progress.begin("naver_searchad")
    frozen_clock.sleep(REDRAW_EVERY)
    progress.count("meta_ads", rows=12_345, pages=40, size=1_250_000)
    frozen_clock.sleep(2.75)
    progress.tick()
    last = stream.getvalue().split("\r")[-1]
    assert last == ("meta_ads 12,345 rows, 40 pages, 1.2 MB, 3 s | naver_searchad 3 s")
    # a finished task leaves its line above and drops out of the live line
    progress.end("meta_ads", "  meta_ads done")
    assert "  meta_ads done\n" in stream.getvalue()
    assert stream.getvalue().split("\r")[-1].startswith("naver_searchad 3 s")
    progress.close()
    assert stream.getvalue().endswith("\r")


def test_the_live_line_is_redrawn_at_most_every_quarter_second(
    frozen_clock: clock.FrozenClock,
) -> None:
    stream = Terminal()
    progress = Progress(stream, width=200)
    progress.begin("adjust")
    drawn = stream.getvalue().count("\r")
    for _ in range(50):
        progress.count("adjust", rows=1)  # no time passes: no redraw
    assert stream.getvalue().count("\r") == drawn
    frozen_clock.sleep(REDRAW_EVERY)
    progress.count("adjust", rows=1)
    assert stream.getvalue().count("\r") == drawn + 1
    assert stream.getvalue().endswith("adjust 51 rows, 0 pages, 0.0 MB, 0 s")


def test_the_live_line_is_cut_to_the_terminal_width() -> None:
    progress = Progress(Terminal(), width=30)
    for name in ("meta_ads", "google_ads", "naver_searchad"):
        progress.begin(name)
    assert len(progress.line()) == 29 and progress.line().endswith("…")


def test_pages_and_bytes_are_counted_from_the_sources_shared_http_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = HttpApi("kakao_moment")

    def answer(method: str, url: str, **kwargs: Any) -> Response:
        response = Response()
        response.status_code = 200
        response._content = b"x" * 300_000
        return response

    monkeypatch.setattr(api._client.session, "request", answer)
    progress = Progress(io.StringIO())
    progress.begin("kakao_moment")
    with progress.counting_answers():
        api.send("GET", "http://127.0.0.1/report")
        api.send("GET", "http://127.0.0.1/report")
    api.send("GET", "http://127.0.0.1/report")  # no longer counted
    task = progress.tasks["kakao_moment"]
    assert (task.pages, task.bytes) == (2, 600_000)


def test_rows_are_the_extract_steps_table_counters_only() -> None:
    progress = Progress(io.StringIO())
    progress.begin("meta_ads")
    collector = RowCollector(progress, "meta_ads")
    with collector("Extract meta_ads"):
        collector.update("Resources", 0, total=5)
        collector.update("ads_insights", 700)
        collector.update("ads", 10)
        collector.update("Resources", 1, label="Completed")
        collector.update("_dlt_pipeline_state", 1)
    with collector("Normalize meta_ads in 1.2"):
        collector.update("ads_insights", 700)  # the same rows again: not counted twice
    assert progress.tasks["meta_ads"].rows == 710


def test_verbose_rows_also_write_dlts_progress_blocks_to_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    progress = Progress(io.StringIO())
    progress.begin("adjust")
    collector = RowCollector(progress, "adjust", verbose=True)
    with caplog.at_level(logging.INFO, logger="argo.dlt"), collector("Extract adjust"):
        collector.update("report_daily", 5)
    assert progress.tasks["adjust"].rows == 5
    assert "report_daily: 5" in caplog.text


def event(name: str, level: str = "debug", msg: str = "", **data: Any) -> Any:
    return SimpleNamespace(
        info=SimpleNamespace(name=name, level=level, msg=msg), data=SimpleNamespace(**data)
    )


def test_dbt_nodes_done_of_total_and_errors_whole_on_standard_error() -> None:
    out, errors = io.StringIO(), io.StringIO()
    progress = Progress(out)
    progress.begin("transform")
    listener = DbtListener(progress, "transform", errors=errors)
    listener(event("LogStartLine", "info", "1 of 3 START", total=3))
    listener(event("NodeFinished", run_result=SimpleNamespace(status="success")))
    listener(event("NodeFinished", run_result=SimpleNamespace(status="fail")))
    failure = (
        "Failure in test not_null_x (models/x.yml)\n  Got 2 results, configured to fail if != 0"
    )
    listener(event("RunResultError", "error", failure))
    listener(event("LogModelResult", "info", "1 of 3 OK created sql table model x"))
    task = progress.tasks["transform"]
    assert (task.done, task.total) == (2, 3)
    assert listener.statuses == {"success": 1, "fail": 1}
    assert errors.getvalue() == failure + "\n"
    assert out.getvalue() == ""  # dbt's per-node lines only with -v


def test_verbose_dbt_lines_go_to_the_dbt_logger(caplog: pytest.LogCaptureFixture) -> None:
    progress = Progress(io.StringIO())
    listener = DbtListener(progress, "transform", verbose=True)
    with caplog.at_level(logging.INFO, logger="dbt"):
        listener(event("LogModelResult", "info", "1 of 3 OK created sql table model x"))
        listener(event("Note", "debug", "a debug line"))
    assert caplog.messages == ["1 of 3 OK created sql table model x"]


def test_table_aligns_numbers_right_and_text_left() -> None:
    assert table(("step", "rows"), [("meta_ads", "12"), ("adjust", "3,440")], right=(1,)) == [
        "step       rows",
        "meta_ads     12",
        "adjust    3,440",
    ]


def test_a_warning_every_account_repeats_is_said_once() -> None:
    once = Once()
    record = logging.LogRecord("argo.sources", logging.WARNING, "", 0, "start %s", ("x",), None)
    again = logging.LogRecord("argo.sources", logging.WARNING, "", 0, "start %s", ("x",), None)
    other = logging.LogRecord("argo.sources", logging.WARNING, "", 0, "start %s", ("y",), None)
    assert [once.filter(r) for r in (record, again, other)] == [True, False, True]
