"""Every documented setting of every source reaches it when set the way users set them.

dlt injects a source argument from ``SOURCES__<SOURCE>__<NAME>`` or ``.dlt/*.toml`` only
when it can convert to the argument's type hint; any other argument silently keeps its
default (AppsFlyer's ``app_ids: list[str] | str = dlt.config.value`` received dlt's
placeholder whatever the user set). So each setting is set here through the environment
only, then through the TOML files only, and the test watches what the source function's
body receives: a hint dlt skips fails it. The README's settings table of each source must
list exactly the source's arguments, and this file must give each a value.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

from argo.settings import PROJECT_DIR
from ingestion.registry import SOURCES
from ingestion.sources import config
from ingestion.sources.errors import SourceError
from tests.settings_forms import env_text, factory, is_list, toml_files

#: Every argument of every source with a value unlike its default, as a user would set it.
#: Lists hold what ``list_setting`` must make of them.
SETTINGS: dict[str, dict[str, Any]] = {
    "meta_ads": {
        "access_token": "meta-token-1",
        "account_ids": ["1111111111", "2222222222"],
        "base_url": "http://127.0.0.1:9/meta",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "insights_mode": "sync",
        "insights_chunk_days": 3,
        "max_parallel_accounts": 3,
        "page_size": 50,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
        "async_poll_interval": 0.25,
        "async_timeout": 60.5,
        "usage_threshold": 75.0,
        "usage_pause_seconds": 30.0,
    },
    "google_ads": {
        "client_id": "google-client-1",
        "client_secret": "google-secret-1",
        "refresh_token": "google-refresh-1",
        "developer_token": "google-developer-1",
        "login_customer_id": "1234567890",
        "account_ids": ["1111111111", "2222222222"],
        "base_url": "http://127.0.0.1:9/google",
        "token_url": "http://127.0.0.1:9/token",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "report_chunk_days": 7,
        "max_parallel_accounts": 3,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "naver_searchad": {
        "api_key": "naver-key-1",
        "secret_key": "naver-secret-1",
        "customer_ids": ["1234567", "2345678"],
        "base_url": "http://127.0.0.1:9/naver",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "report_workers": 2,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
        "async_poll_interval": 0.25,
        "async_timeout": 60.5,
        "max_parallel_accounts": 3,
    },
    "kakao_moment": {
        "access_token": "kakao-token-1",
        "refresh_token": "kakao-refresh-1",
        "client_id": "kakao-client-1",
        "client_secret": "kakao-secret-1",
        "account_ids": ["123", "456"],
        "base_url": "http://127.0.0.1:9/kakao",
        "auth_url": "http://127.0.0.1:9/kauth",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "report_window_days": 10,
        "creatives_per_report": 50,
        "report_interval_seconds": 1.5,
        "max_parallel_accounts": 2,
        "page_size": 20,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "exchange_rates": {
        "auth_key": "exim-key-1",
        "provider": "frankfurter",
        "currencies": ["USD", "JPY"],
        "base_url": "http://127.0.0.1:9/fx",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "window_days": 30,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "kr_holidays": {
        "service_key": "holiday-key-1",
        "provider": "data_go_kr",
        "years": [2025, 2026],
        "base_url": "http://127.0.0.1:9/holidays",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "page_size": 50,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "appsflyer": {
        "app_ids": ["com.example.app", "id123456789"],
        "api_token": "appsflyer-token-1",
        "reports": ["installs_report", "geo_by_date_report"],
        "timezone": "Europe/Berlin",
        "base_url": "http://127.0.0.1:9/appsflyer",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "include_organic": False,
        "maximum_rows": 1000,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "adjust": {
        "app_tokens": ["abc123def456", "ghi789jkl012"],
        "api_token": "adjust-token-1",
        "event_slugs": ["purchase", "sign_up"],
        "currency": "KRW",
        "utc_offset": "+09:00",
        "base_url": "http://127.0.0.1:9/adjust",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "days_per_request": 7,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "weather": {
        "service_key": "weather-key-1",
        "provider": "open_meteo",
        "stations": ["108", "159"],
        "base_url": "http://127.0.0.1:9/weather",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "lookback_days": 5,
        "initial_days": 11,
        "window_days": 30,
        "page_size": 100,
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
    "google_sheets": {
        "spreadsheet_id": "1PlanSheet-Id_2",
        "credentials": '{"client_email": "plan@p.iam.gserviceaccount.com", "private_key": "k"}',
        "advertisers_tab": "Clients",
        "ad_accounts_tab": "Accounts",
        "budgets_tab": "Budget 2026",
        "targets_tab": "KPI",
        "base_url": "http://127.0.0.1:9/v4",
        "token_url": "http://127.0.0.1:9/token",
        "start_date": date(2026, 1, 2),
        "end_date": date(2026, 1, 5),
        "max_attempts": 3,
        "backoff_factor": 0.5,
        "request_timeout": 12.5,
    },
}


def documented(source: str) -> set[str]:
    """The settings named in the first column of the README's option table."""
    readme = (PROJECT_DIR / "ingestion" / "sources" / source / "README.md").read_text()
    table = readme.split("| option |", 1)[1].split("\n\n", 1)[0]
    names: set[str] = set()
    for first in re.findall(r"^\| (`.+?) \|", table, re.MULTILINE):
        names.update(re.findall(r"`(\w+)`", first))
    return names


@contextmanager
def dlt_settings_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """dlt reads ``folder/.dlt`` and no ``SOURCES__`` variable of the test's environment."""
    import os

    for variable in list(os.environ):
        if variable.startswith("SOURCES__"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DLT_PROJECT_DIR", str(folder))
    Container()[PluggableRunContext].reload_providers()
    try:
        yield
    finally:
        monkeypatch.undo()
        Container()[PluggableRunContext].reload_providers()


class Received:
    """What a call of the source function received and what ``list_setting`` returned."""

    def __init__(self) -> None:
        self.arguments: dict[str, Any] = {}
        self.lists: dict[str, list[str]] = {}


def call(source: str) -> Received:
    """Calls the source with no arguments (dlt injects them) and watches its body."""
    body = inspect.unwrap(factory(source)).__code__
    reader = inspect.unwrap(config.list_setting).__code__
    received = Received()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is body and not received.arguments:
            received.arguments = dict(frame.f_locals)
        elif event == "return" and frame.f_code is reader and arg is not None:
            received.lists[frame.f_locals["name"]] = arg

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        factory(source)()
    finally:
        sys.setprofile(previous)
    return received


def check(
    source: str, received: Received, raw: Callable[[str, Any], Any], names: list[str]
) -> None:
    signature = inspect.signature(factory(source)).parameters
    assert set(received.arguments) == set(signature)
    for name in names:
        value = SETTINGS[source][name]
        expected = raw(name, value)
        got = received.arguments[name]
        assert got == expected, f"{source}.{name}: the source received {got!r}"
        assert got != signature[name].default, f"{source}.{name}: pick a value unlike the default"
        if is_list(source, name):
            assert received.lists.get(name) == [str(v) for v in value], f"{source}.{name}"


@pytest.mark.parametrize("source", list(SOURCES))
def test_the_readme_documents_every_argument_and_this_test_sets_each(source: str) -> None:
    arguments = set(inspect.signature(factory(source)).parameters)
    assert documented(source) == arguments, f"ingestion/sources/{source}/README.md"
    assert set(SETTINGS[source]) == arguments


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_setting_in_environment_variables_reaches_the_source(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dlt_settings_in(tmp_path, monkeypatch):
        for name, value in SETTINGS[source].items():
            monkeypatch.setenv(f"SOURCES__{source.upper()}__{name.upper()}", env_text(value))
        received = call(source)

    def raw(name: str, value: Any) -> Any:
        # a list setting arrives as the variable's text; dlt converts everything else
        if is_list(source, name):
            return env_text(value)
        return value.isoformat() if isinstance(value, date) else value

    check(source, received, raw, list(SETTINGS[source]))


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_setting_in_the_toml_files_reaches_the_source(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".dlt"
    folder.mkdir()
    for name, text in toml_files(source, SETTINGS[source]).items():
        (folder / name).write_text(text)
    with dlt_settings_in(tmp_path, monkeypatch):
        received = call(source)

    def raw(name: str, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    check(source, received, raw, list(SETTINGS[source]))


@pytest.mark.parametrize(
    ("source", "name"),
    [(s, n) for s in SOURCES for n in SETTINGS[s] if is_list(s, n)],
)
@pytest.mark.parametrize("form", ["comma-separated", "spaces", "one value", "in config.toml"])
def test_a_list_setting_also_takes_a_comma_separated_string(
    source: str, name: str, form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = [str(v) for v in SETTINGS[source][name]]
    if form == "one value":
        value = value[:1]
    text = {"comma-separated": ",".join, "spaces": ", ".join}.get(form, "".join)(value)
    if form == "in config.toml":
        text = ",".join(value)
        (tmp_path / ".dlt").mkdir()
        files = toml_files(source, {k: v for k, v in SETTINGS[source].items() if k != name})
        files["config.toml"] += f'{name} = "{text}"\n'
        for file, content in files.items():
            (tmp_path / ".dlt" / file).write_text(content)
    with dlt_settings_in(tmp_path, monkeypatch):
        if form != "in config.toml":
            for other, setting in SETTINGS[source].items():
                variable = f"SOURCES__{source.upper()}__{other.upper()}"
                monkeypatch.setenv(variable, text if other == name else env_text(setting))
        received = call(source)
    assert received.arguments[name] == text
    assert received.lists[name] == value


def test_list_setting_reads_every_form() -> None:
    def read(value: Any) -> list[str]:
        return config.list_setting(
            value, source="s", name="ids", what="ids", example=["1", "2"], pattern=r"\d+"
        )

    assert read(None) == [] and read("") == [] and read("[]") == []
    assert read(["1", 2, " 3 "]) == ["1", "2", "3"]
    assert read('["1", 2]') == ["1", "2"]
    assert read("1, 2 3,,2") == ["1", "2", "3"]
    assert read(7) == ["7"]
    for wrong in ('["1", 2', '{"a": 1}', "[1.5]", 1.5, True, {"a": "1"}, [["1"]], "x1"):
        with pytest.raises(SourceError, match=r"^s: ids=.* is not a list of ids"):
            read(wrong)


def test_a_wrong_list_names_the_variable_and_the_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dlt_settings_in(tmp_path, monkeypatch):
        monkeypatch.setenv("SOURCES__KAKAO_MOMENT__ACCESS_TOKEN", "kakao-token-1")
        monkeypatch.setenv("SOURCES__KAKAO_MOMENT__ACCOUNT_IDS", "notalist")
        with pytest.raises(SourceError) as error:
            factory("kakao_moment")()
    assert str(error.value) == (
        "kakao_moment: SOURCES__KAKAO_MOMENT__ACCOUNT_IDS='notalist' is not a list of ad "
        "account ids (digits): 'notalist' is not one. What to do: write a JSON list like "
        """'["123","456"]' or a comma-separated 123,456"""
    )
