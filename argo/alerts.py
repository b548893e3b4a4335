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

``ARGO_ALERT_STATE`` may also be an S3 URI (``s3://bucket/key``), and on the ``athena``
target it is ``s3://<ARGO_S3_LAKE_BUCKET>/argo/alert_state.json`` by default, so the
scheduled digest on an ephemeral runner sees what an AE decided on a workstation. The
object holds the same JSON, read and checked the same way; a missing object is an empty
state. A change is one ``PutObject`` of the whole document (atomic on S3) made
conditional on what was read (``IfMatch`` its ETag, or ``IfNoneMatch: *`` when there was
no object): when another ``argo alerts`` wrote in between, S3 refuses the write, and the
change is applied again to the new document, so neither is lost.
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
from argo.settings import SettingError, target, warehouse_path
from ingestion import clock

#: Environment variable naming the alert state file.
STATE_ENV = "ARGO_ALERT_STATE"
#: The state file's name beside the warehouse file, by default.
DEFAULT_NAME = "alert_state.json"
VERSION = 1
#: The state object's key in the lake bucket, by default on the ``athena`` target.
DEFAULT_S3_KEY = "argo/alert_state.json"
#: Writes tried when another ``argo alerts`` keeps changing the S3 object in between.
S3_ATTEMPTS = 3


class StateError(Exception):
    """The alert state file cannot be read or written; the message names it and what to do."""


@dataclass(frozen=True)
class S3Object:
    """The state kept as an S3 object; prints as its ``s3://`` URI."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


#: Where the state is kept: a local file or an S3 object.
Location = Path | S3Object


def _s3_object(uri: str) -> S3Object:
    """``s3://bucket/key`` as an :class:`S3Object`.

    Raises:
        SettingError: The URI names no bucket or no object.
    """
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key or key.endswith("/"):
        raise SettingError(
            f"{STATE_ENV}={uri!r} names no S3 object. What to do: give the whole URI of the "
            f"object, e.g. s3://acme-argo-lake/{DEFAULT_S3_KEY}, or a local file"
        )
    return S3Object(bucket, key)


def state_path() -> Location:
    """Where the state is kept.

    ``ARGO_ALERT_STATE`` (a file, or ``s3://bucket/key``); else, on the ``athena`` target,
    ``s3://<ARGO_S3_LAKE_BUCKET>/argo/alert_state.json``; else ``alert_state.json`` beside
    the warehouse.

    Raises:
        SettingError: An ``s3://`` URI names no object, or the athena target has no
            ``ARGO_S3_LAKE_BUCKET`` to keep the state in.
    """
    configured = os.environ.get(STATE_ENV, "").strip()
    if configured.lower().startswith("s3://"):
        return _s3_object(configured)
    if configured:
        return Path(configured).expanduser().resolve()
    if target() == "athena":
        bucket = os.environ.get("ARGO_S3_LAKE_BUCKET", "").strip()
        if not bucket:
            raise SettingError(
                f"the athena target keeps the alert state in the lake bucket, and "
                f"ARGO_S3_LAKE_BUCKET is not set. What to do: set it (docs/production.md), or "
                f"point {STATE_ENV} at an s3:// object or a file"
            )
        return S3Object(bucket, DEFAULT_S3_KEY)
    return warehouse_path().parent / DEFAULT_NAME


def where(location: Location) -> str:
    """``the alert state file <path>`` or ``the alert state object s3://...``, for messages."""
    if isinstance(location, S3Object):
        return f"the alert state object {location}"
    return f"the alert state file {location}"


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


def _unreadable(location: Location, why: str) -> StateError:
    if isinstance(location, S3Object):
        return StateError(
            f"{where(location)} cannot be read ({why}). What to do: fix it or delete it "
            f"(`aws s3 cp {location} -` shows it; a missing object means no alert is "
            f"acknowledged or snoozed); `argo alerts ack` and `argo alerts snooze` will not "
            f"overwrite it, and the digest shows every alert meanwhile"
        )
    return StateError(
        f"the alert state file {location} cannot be read ({why}). What to do: fix it or move "
        f"it aside (a missing file means no alert is acknowledged or snoozed); `argo alerts "
        f"ack` and `argo alerts snooze` will not overwrite it, and the digest shows every "
        f"alert meanwhile"
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


def _parse(text: str, location: Location) -> AlertState:
    """The state a document holds; what is wrong with it as one :class:`StateError`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _unreadable(location, f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("alerts"), dict):
        raise _unreadable(location, 'not an object with "alerts"')
    if data.get("version") != VERSION:
        raise _unreadable(location, f"version {data.get('version')!r}, ARGO reads {VERSION}")
    for alert_id, entry in data["alerts"].items():
        problem = _check_entry(alert_id, entry)
        if problem:
            raise _unreadable(location, problem)
    return AlertState(dict(data["alerts"]))


def _document(state: AlertState) -> str:
    """The JSON text of the state, as the file and the S3 object hold it."""
    return json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n"


def load(path: Location | None = None) -> AlertState:
    """Reads the state file or object; a missing one is an empty state.

    Raises:
        StateError: It exists but cannot be read (permissions included), is not JSON, or
            is not ARGO's state.
    """
    path = path or state_path()
    if isinstance(path, S3Object):
        return _s3_read(path)[0]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AlertState()
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, getattr(exc, "strerror", None) or type(exc).__name__) from None
    return _parse(text, path)


def save(state: AlertState, path: Location | None = None) -> None:
    """Writes the state atomically: a temporary file in the same folder, then a rename.

    An S3 object is written with one ``PutObject`` of the whole document, unconditionally
    (:func:`change` is the conditional read-modify-write).

    Raises:
        StateError: The folder (or the object) cannot be written.
    """
    path = path or state_path()
    if isinstance(path, S3Object):
        _s3_write(path, state, etag=None, conditional=False)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(_document(state))
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


def _apply(state: AlertState, alert_id: str, kind: str, value: dict[str, Any]) -> None:
    entry = dict(state.alerts.get(alert_id) or {})
    entry[kind] = {**value, "at": clock.now().isoformat(timespec="seconds")}
    state.alerts[alert_id] = entry


def change(alert_id: str, kind: str, value: dict[str, Any], path: Location | None = None) -> None:
    """Sets ``kind`` (``ack`` or ``snooze``) of one alert.

    A file is changed under its lock. An S3 object is read, changed and written back only
    if it is still the one read (``IfMatch`` its ETag, ``IfNoneMatch: *`` for a new one);
    when another writer came in between, the change is applied again to what it wrote,
    up to :data:`S3_ATTEMPTS` times.

    Raises:
        StateError: The state cannot be read (it is left as it is) or written, or the S3
            object kept changing under this write.
        LockError: Another ``argo alerts`` holds the file's lock.
    """
    path = path or state_path()
    if isinstance(path, S3Object):
        for _ in range(S3_ATTEMPTS):
            state, etag = _s3_read(path)
            _apply(state, alert_id, kind, value)
            if _s3_write(path, state, etag=etag, conditional=True):
                return
        raise StateError(
            f"{where(path)} changed under this `argo alerts {kind}` {S3_ATTEMPTS} times in a "
            f"row (other `argo alerts` writing it); nothing was written. What to do: run the "
            f"command again"
        )
    with exclusive(path.with_name(path.name + ".lock"), f"the alert state {path}"):
        state = load(path)
        _apply(state, alert_id, kind, value)
        save(state, path)


# -- S3 -----------------------------------------------------------------------------------
#: What S3 answers a conditional write whose condition no longer holds: another writer
#: changed (412), is changing (409) or deleted (404, for ``IfMatch``) the object.
_CONFLICTS = {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}


def _aws_failure(location: S3Object, reading: bool, exc: Exception) -> StateError:
    """One line for a failed S3 call: what, why, what to do; never a credential."""
    from botocore.exceptions import ClientError, NoCredentialsError

    from argo.aws import DENIED, error_code

    verb = "read" if reading else "written"
    meanwhile = (
        "; the digest shows every alert meanwhile"
        if reading
        else "; nothing was written, the state is as it was"
    )
    if isinstance(exc, NoCredentialsError):
        return StateError(
            f"{where(location)} cannot be {verb}: no AWS credentials. What to do: configure "
            f"them (an instance or CI role, AWS_PROFILE, or AWS_ACCESS_KEY_ID/"
            f"AWS_SECRET_ACCESS_KEY), or point {STATE_ENV} at a local file{meanwhile}"
        )
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in DENIED:
            return StateError(
                f"{where(location)} cannot be {verb}: permission denied ({code}). What to do: "
                f"grant the role s3:GetObject and s3:PutObject on it (the policy `argo aws "
                f"policy` prints has them for the lake bucket), or point {STATE_ENV} at an "
                f"object you may use{meanwhile}"
            )
        if code == "NoSuchBucket":
            return StateError(
                f"{where(location)} cannot be {verb}: the bucket {location.bucket} does not "
                f"exist. What to do: run `argo aws bootstrap`, or point {STATE_ENV} at an "
                f"existing bucket{meanwhile}"
            )
        message = str(exc.response.get("Error", {}).get("Message", ""))
        return StateError(
            f"{where(location)} cannot be {verb} ({code}: {message}). What to do: check the "
            f"bucket and run the command again{meanwhile}"
        )
    return StateError(
        f"{where(location)} cannot be {verb} ({type(exc).__name__}: {exc}). What to do: check "
        f"the network and AWS_REGION, and run the command again{meanwhile}"
    )


def _s3_read(location: S3Object) -> tuple[AlertState, str | None]:
    """The state in the object and its ETag; an empty state and ``None`` without one.

    Raises:
        StateError: The object cannot be read, or is not ARGO's state.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from argo.aws import error_code, s3_client

    try:
        answer = s3_client().get_object(Bucket=location.bucket, Key=location.key)
        body = answer["Body"].read()
    except ClientError as exc:
        if error_code(exc) == "NoSuchKey":
            return AlertState(), None
        raise _aws_failure(location, True, exc) from None
    except BotoCoreError as exc:
        raise _aws_failure(location, True, exc) from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(location, "not UTF-8 text") from None
    return _parse(text, location), answer.get("ETag")


def _s3_write(
    location: S3Object, state: AlertState, *, etag: str | None, conditional: bool
) -> bool:
    """One ``PutObject`` of the whole document; ``False`` when its condition failed.

    ``conditional``: only over the object of ``etag``, or only where there is none.

    Raises:
        StateError: The object cannot be written (permissions, bucket, network).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from argo.aws import error_code, s3_client

    condition = {}
    if conditional:
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
    try:
        s3_client().put_object(
            Bucket=location.bucket,
            Key=location.key,
            Body=_document(state).encode("utf-8"),
            ContentType="application/json",
            **condition,
        )
    except ClientError as exc:
        if conditional and error_code(exc) in _CONFLICTS:
            return False
        raise _aws_failure(location, False, exc) from None
    except BotoCoreError as exc:
        raise _aws_failure(location, False, exc) from None
    return True
