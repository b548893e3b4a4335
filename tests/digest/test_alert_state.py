"""Acknowledge and snooze: kept outside the marts, atomic, and never silently lost."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from argo import alerts, digest
from argo.alerts import AlertState, StateError
from argo.cli import main
from argo.marts_reader import DuckDBReader
from tests.digest.conftest import DAY, build_warehouse, event


def kim_items(path: Path, state: AlertState | None = None) -> list[str]:
    found = {d.owner.name: d for d in digest.build(DuckDBReader(path), state=state)}
    kim = found["Kim Minji"]
    return [i.alert_id for i in [*kim.items, *kim.cleared]]


def test_ack_hides_the_rest_of_the_episode_until_it_worsens_or_clears() -> None:
    first = DAY - timedelta(days=2)
    state = AlertState(
        {"x": {"ack": {"first_seen": str(first), "on": str(DAY - timedelta(days=1))}}}
    )
    # The same episode, unchanged or reported new again: hidden.
    assert state.suppression("x", "new", first, DAY) == f"acknowledged on {DAY - timedelta(days=1)}"
    assert state.suppression("x", "ongoing", first, DAY) is not None
    # It worsens after the day it was acknowledged: shown.
    assert state.suppression("x", "worsened", first, DAY) is None
    # A worsening known when it was acknowledged: still hidden.
    assert state.suppression("x", "worsened", first, DAY - timedelta(days=1)) is not None
    # The episode ends: shown; a new episode: shown.
    assert state.suppression("x", "cleared", first, DAY) is None
    assert state.suppression("x", "new", DAY, DAY) is None
    # Another alert: shown.
    assert state.suppression("y", "new", first, DAY) is None


def test_snooze_hides_until_the_day() -> None:
    state = AlertState({"x": {"snooze": {"until": "2026-11-20"}}})
    assert state.suppression("x", "new", DAY, date(2026, 11, 19)) == "snoozed until 2026-11-20"
    assert state.suppression("x", "cleared", DAY, date(2026, 11, 19)) is not None
    assert state.suppression("x", "new", DAY, date(2026, 11, 20)) is None


def test_argo_alerts_ack_and_snooze_shape_the_digest(
    marts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kim_items(marts, alerts.load()) == ["pace-1", "cpc-1", "sug-1", "old-1"]
    assert main(["alerts", "ack", "cpc-1", "--note", "bid change, expected"]) == 0
    assert main(["alerts", "snooze", "sug-1", "--until", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "Acknowledged cpc-1 (episode from 2026-11-16)" in out
    assert "Snoozed sug-1 until 2026-11-25" in out
    state = alerts.load()
    assert state.alerts["cpc-1"]["ack"]["note"] == "bid change, expected"
    assert state.alerts["cpc-1"]["ack"]["at"] == "2026-11-20T01:30:00+00:00"  # the clock's
    assert kim_items(marts, state) == ["pace-1", "old-1"]
    (kim, _) = digest.build(DuckDBReader(marts), state=state)
    assert kim.suppressed == 2
    assert main(["alerts", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Alerts open on 2026-11-18 (5):" in listing
    assert "acknowledged 2026-11-18 (episode from 2026-11-16): bid change, expected" in listing
    assert "snoozed until 2026-11-25" in listing
    assert "old-1" not in listing
    assert main(["alerts", "list", "--all", "--owner", "Lee Jun"]) == 0
    assert "spend-2" in capsys.readouterr().out


def test_the_state_survives_a_rebuild_of_the_marts(marts: Path, tmp_path: Path) -> None:
    assert main(["alerts", "ack", "pace-1"]) == 0
    marts.unlink()  # a full refresh: the marts are built again from nothing
    build_warehouse(marts, [event("pace-1", "ongoing", 1, kind="pacing", first_seen=DAY)])
    assert alerts.load().alerts["pace-1"]["ack"]["first_seen"] == str(DAY)


def test_ack_of_an_unknown_alert_and_a_snooze_in_the_past_are_refused(
    marts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "ack", "nope"]) == 1
    assert "no alert 'nope' in marts.fct_alert_events up to 2026-11-18" in capsys.readouterr().err
    assert main(["alerts", "snooze", "sug-1", "--until", "2026-11-18"]) == 2
    assert "--until 2026-11-18 is not after the marts' newest day" in capsys.readouterr().err
    assert not alerts.state_path().exists()


def test_the_state_is_written_atomically(marts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["alerts", "ack", "pace-1"]) == 0
    path = alerts.state_path()
    before = path.read_text()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError, match="cannot write the alert state file"):
        alerts.change("cpc-1", "ack", {"first_seen": "2026-11-16", "on": "2026-11-18"})
    assert path.read_text() == before  # the old file whole, never half a new one
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".alert_state")] == []
    assert json.loads(before)["version"] == 1


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 1, "alerts": {"x": {"snooze": {"until": "soon"}}}}',
        '{"version": 9, "alerts": {}}',
    ],
    ids=["not-json", "not-an-object", "bad-date", "other-version"],
)
def test_an_unreadable_state_file_is_one_clear_error_and_the_digest_shows_everything(
    marts: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = alerts.state_path()
    path.write_text(content)
    with pytest.raises(StateError, match=f"the alert state file {path} cannot be read"):
        alerts.load()
    assert main(["digest"]) == 1  # written, but the run says something is wrong
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert f"the alert state file {path} cannot be read" in err and "What to do" in err
    text = (marts.parent / "digests" / "2026-11-18" / "kim-minji.md").read_text()
    assert text.splitlines()[2].startswith("> **UNSUPPRESSED: every alert is shown")
    assert "headline of pace-1" in text and "headline of cpc-1" in text
    # ack refuses to overwrite it
    assert main(["alerts", "ack", "pace-1"]) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert path.read_text() == content


def test_a_missing_state_file_is_an_empty_state(marts: Path) -> None:
    assert alerts.load().alerts == {}
    assert kim_items(marts, alerts.load()) == ["pace-1", "cpc-1", "sug-1", "old-1"]


def test_the_default_state_file_is_beside_the_warehouse(
    marts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(alerts.STATE_ENV)
    assert alerts.state_path() == marts.parent / "alert_state.json"
