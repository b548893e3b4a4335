"""The alert state: which alerts an AE acknowledged or snoozed, kept outside the marts.

The marts (``fct_alerts_daily``, ``fct_alert_events``) say what is wrong and since when;
they are rebuilt from the data and may be refreshed in full at any time. What a person
decided about an alert lives here instead, in a small JSON file beside the warehouse
(``data/alert_state.json``, or ``ARGO_ALERT_STATE``), so it survives any rebuild::

    {"version": 1,
     "alerts": {"<alert_id>": {"ack": {"first_seen": "2026-11-18", "on": "2026-11-20",
                                        "at": "2026-11-20T01:30:00+00:00", "note": "..."},
                               "snooze": {"until": "2026-11-25", "at": "..."}}}}

- An acknowledged alert stays out of the digest for the rest of its episode (the
  ``first_seen`` it had when acknowledged), unless it worsens after the day it was
  acknowledged; the day its episode clears is shown, and a new episode (a new
  ``first_seen``) is shown as new.
- A snoozed alert stays out of the digest on every day before ``until``.

The file is written atomically (a temporary file in the same folder, then a rename), under
a lock, so a reader never sees half a file and two ``argo alerts ack`` never lose one
another's change. A file that cannot be read is reported in one line; nothing overwrites it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from argo.locks import exclusive
from argo.settings import warehouse_path
from ingestion import clock

#: Environment variable naming the alert state file.
STATE_ENV = "ARGO_ALERT_STATE"
#: The state file's name beside the warehouse file, by default.
DEFAULT_NAME = "alert_state.json"
VERSION = 1


class StateError(Exception):
    """The alert state file cannot be read or written; the message names it and what to do."""


def state_path() -> Path:
    """The state file: ``ARGO_ALERT_STATE``, else ``alert_state.json`` beside the warehouse."""
    configured = os.environ.get(STATE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return warehouse_path().parent / DEFAULT_NAME


@dataclass
class AlertState:
    """Acknowledgements and snoozes, by alert id (what the file holds)."""

    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def suppression(self, alert_id: str, event: str, first_seen: Any, day: date) -> str | None:
        """Why the alert's event of ``day`` stays out of the digest, or ``None`` to show it.

        Args:
            alert_id: The alert.
            event: Its event on ``day``: ``new``, ``worsened``, ``ongoing`` or ``cleared``.
            first_seen: The first day of its current episode.
            day: The digest's day.
        """
        entry = self.alerts.get(alert_id) or {}
        snooze = entry.get("snooze")
        if snooze and day < date.fromisoformat(snooze["until"]):
            return f"snoozed until {snooze['until']}"
        ack = entry.get("ack")
        if not ack or str(first_seen) != ack["first_seen"]:
            return None  # never acknowledged, or a new episode
        if event == "cleared":
            return None  # the end of the acknowledged episode is news
        if event == "worsened" and day > date.fromisoformat(ack["on"]):
            return None
        return f"acknowledged on {ack['on']}"

    def describe(self, alert_id: str, day: date) -> str:
        """The state of an alert for ``argo alerts list``: open, acknowledged or snoozed."""
        entry = self.alerts.get(alert_id) or {}
        parts = []
        ack = entry.get("ack")
        if ack:
            note = f": {ack['note']}" if ack.get("note") else ""
            parts.append(f"acknowledged {ack['on']} (episode from {ack['first_seen']}){note}")
        snooze = entry.get("snooze")
        if snooze and day < date.fromisoformat(snooze["until"]):
            parts.append(f"snoozed until {snooze['until']}")
        return "; ".join(parts) or "open"

    def to_json(self) -> dict[str, Any]:
        """What the file holds."""
        return {"version": VERSION, "alerts": self.alerts}


def _unreadable(path: Path, why: str) -> StateError:
    return StateError(
        f"the alert state file {path} cannot be read ({why}). What to do: fix it or move it "
        f"aside (a missing file means no alert is acknowledged or snoozed); `argo alerts ack` "
        f"and `argo alerts snooze` will not overwrite it, and the digest shows every alert "
        f"meanwhile"
    )


def _check_entry(alert_id: Any, entry: Any) -> str | None:
    """What is wrong with one alert's entry, or ``None``."""
    if not isinstance(alert_id, str) or not isinstance(entry, Mapping):
        return f"alert {alert_id!r} is not an object"
    for kind, keys in (("ack", ("first_seen", "on")), ("snooze", ("until",))):
        part = entry.get(kind)
        if part is None:
            continue
        if not isinstance(part, Mapping):
            return f"alert {alert_id}: {kind} is not an object"
        for key in keys:
            try:
                date.fromisoformat(str(part[key]))
            except (KeyError, ValueError):
                return f"alert {alert_id}: {kind}.{key} is not a date"
    return None


def load(path: Path | None = None) -> AlertState:
    """Reads the state file; a missing file is an empty state.

    Raises:
        StateError: The file exists but cannot be read, is not JSON, or is not ARGO's state.
    """
    path = path or state_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AlertState()
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, getattr(exc, "strerror", None) or type(exc).__name__) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _unreadable(path, f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("alerts"), dict):
        raise _unreadable(path, 'not an object with "alerts"')
    if data.get("version") != VERSION:
        raise _unreadable(path, f"version {data.get('version')!r}, ARGO reads {VERSION}")
    for alert_id, entry in data["alerts"].items():
        problem = _check_entry(alert_id, entry)
        if problem:
            raise _unreadable(path, problem)
    return AlertState(dict(data["alerts"]))


def save(state: AlertState, path: Path | None = None) -> None:
    """Writes the state atomically: a temporary file in the same folder, then a rename.

    Raises:
        StateError: The folder cannot be written.
    """
    path = path or state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(state.to_json(), out, indent=2, sort_keys=True)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StateError(
            f"cannot write the alert state file {path} ({exc.strerror or exc}). What to do: "
            f"make its folder writable, or point {STATE_ENV} at a file you can write"
        ) from None


def change(alert_id: str, kind: str, value: dict[str, Any], path: Path | None = None) -> None:
    """Sets ``kind`` (``ack`` or ``snooze``) of one alert, under the state file's lock.

    Raises:
        StateError: The file cannot be read (it is left as it is) or written.
        LockError: Another ``argo alerts`` holds the lock.
    """
    path = path or state_path()
    with exclusive(path.with_name(path.name + ".lock"), f"the alert state {path}"):
        state = load(path)
        entry = dict(state.alerts.get(alert_id) or {})
        entry[kind] = {**value, "at": clock.now().isoformat(timespec="seconds")}
        state.alerts[alert_id] = entry
        save(state, path)
