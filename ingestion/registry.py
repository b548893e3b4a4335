"""Every source ARGO knows, declared once: its dlt source, its fake, its dbt switch, its secrets.

A source's settings are the arguments of its dlt source function, and its secrets are the
arguments typed as secrets (``dlt.TSecretStrValue``): the function is their one
declaration, read here with :meth:`Source.settings` and :meth:`Source.secrets`. This
table adds what the function cannot say: which sandbox fake serves the source, the
options that make the connector quick against it, the dbt var that switches its models
and where the production workflow keeps its secrets.

Everything that lists sources reads this table: ``argo ingest``'s choices and the pipeline
runner, the sandbox (:mod:`ingestion.sandbox.registry`), the AWS footprint's raw
datasets, and the tests that check the dbt project's switches and the production
workflow's secrets (``tests/test_registry.py``). Adding a source is one entry here (the
README's checklist says what else a source brings).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dlt.common.configuration.inject import get_fun_spec
from dlt.common.configuration.specs.base_configuration import is_secret_hint


@dataclass(frozen=True)
class Source:
    """One source: where its code, its fake and its switches are.

    Attributes:
        name: The source's name: its package under ``ingestion/sources/``, its dlt config
            section (``SOURCES__<NAME>__...``) and its raw dataset ``raw_<name>``.
        function: The dlt source, as ``module:function``.
        fake: The sandbox fake that serves it, as ``module:Class``.
        fake_options: Keyword arguments of the fake besides the world and the faults.
        sandbox_options: Options that make the real connector quick against its fake
            (the fake answers at once, so there is no reason to wait between polls).
        dbt_switch: The dbt var that switches the source's models on or off.
        store_secrets: Secret -> name in the production workflow's secret store, where it
            is not ``<NAME>_<SECRET>`` (two sources may share one key).
        time_zone: The IANA zone whose calendar decides the source's "today", when all
            its accounts share one (the Korean APIs: ``Asia/Seoul``); ``None`` when each
            account reports in its own zone (no account is past today in UTC+14).
        publishes_next_year: The source is a calendar its API publishes ahead (holidays):
            a date range may reach the end of next year, not only today.
    """

    name: str
    function: str
    fake: str
    dbt_switch: str
    fake_options: Mapping[str, Any] = field(default_factory=dict)
    sandbox_options: Mapping[str, Any] = field(default_factory=lambda: {"backoff_factor": 0.05})
    store_secrets: Mapping[str, str] = field(default_factory=dict)
    time_zone: str | None = None
    publishes_next_year: bool = False

    @property
    def dataset(self) -> str:
        """The raw dataset dlt lands the source into."""
        return f"raw_{self.name}"

    def factory(self) -> Callable[..., Any]:
        """The dlt source function (its package is imported on first use)."""
        module, function = self.function.split(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return factory

    def fake_class(self) -> type[Any]:
        """The sandbox fake's class (imported on first use)."""
        module, name = self.fake.split(":")
        fake: type[Any] = getattr(importlib.import_module(module), name)
        return fake

    def settings(self) -> list[str]:
        """Every setting of the source: its function's arguments, in order."""
        return list(inspect.signature(self.factory()).parameters)

    def secrets(self) -> list[str]:
        """The settings typed as secrets (``dlt.TSecretStrValue``), as dlt reads them."""
        hints = get_fun_spec(self.factory()).get_resolvable_fields()
        return [name for name in self.settings() if name in hints and is_secret_hint(hints[name])]

    def env(self, setting: str) -> str:
        """The environment variable of ``setting`` (``SOURCES__META_ADS__ACCESS_TOKEN``)."""
        return f"SOURCES__{self.name.upper()}__{setting.upper()}"

    def store_name(self, secret: str) -> str:
        """The production secret store's name for ``secret`` (``META_ADS_ACCESS_TOKEN``)."""
        return self.store_secrets.get(secret, f"{self.name}_{secret}".upper())


#: Every source, in the order ``argo demo`` and ``argo ingest all`` run them.
SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "meta_ads",
            "ingestion.sources.meta_ads:meta_ads_source",
            "ingestion.sandbox.meta_ads_api:MetaAdsFake",
            dbt_switch="meta_ads__enabled",
            sandbox_options={"backoff_factor": 0.05, "async_poll_interval": 0.02},
        ),
        Source(
            "google_ads",
            "ingestion.sources.google_ads:google_ads_source",
            "ingestion.sandbox.google_ads_api:GoogleAdsFake",
            dbt_switch="google_ads__enabled",
        ),
        Source(
            "naver_searchad",
            "ingestion.sources.naver_searchad:naver_searchad_source",
            "ingestion.sandbox.naver_searchad_api:NaverSearchAdFake",
            dbt_switch="naver_searchad__enabled",
            sandbox_options={"backoff_factor": 0.05, "async_poll_interval": 0.02},
            time_zone="Asia/Seoul",
        ),
        # Kakao's one report call per 5 s per account, shortened: the fake enforces the
        # interval it is given and the source paces itself to it (source_options says so).
        Source(
            "kakao_moment",
            "ingestion.sources.kakao_moment:kakao_moment_source",
            "ingestion.sandbox.kakao_moment_api:KakaoMomentFake",
            dbt_switch="kakao_moment__enabled",
            fake_options={"report_interval": 0.2},
            time_zone="Asia/Seoul",
        ),
        # Korea Eximbank (one request per day, result codes with HTTP 200); FrankfurterFake
        # in the same module serves the no-key provider.
        Source(
            "exchange_rates",
            "ingestion.sources.exchange_rates:exchange_rates_source",
            "ingestion.sandbox.exchange_rates_api:KoreaEximFake",
            dbt_switch="exchange_rates__enabled",
            store_secrets={"auth_key": "KOREAEXIM_AUTH_KEY"},
            time_zone="Asia/Seoul",
        ),
        Source(
            "kr_holidays",
            "ingestion.sources.kr_holidays:kr_holidays_source",
            "ingestion.sandbox.kr_holidays_api:KrHolidaysFake",
            dbt_switch="kr_holidays__enabled",
            store_secrets={"service_key": "DATA_GO_KR_SERVICE_KEY"},
            time_zone="Asia/Seoul",
            publishes_next_year=True,
        ),
        Source(
            "appsflyer",
            "ingestion.sources.appsflyer:appsflyer_source",
            "ingestion.sandbox.appsflyer_api:AppsFlyerFake",
            dbt_switch="appsflyer__enabled",
        ),
        Source(
            "adjust",
            "ingestion.sources.adjust:adjust_source",
            "ingestion.sandbox.adjust_api:AdjustFake",
            dbt_switch="adjust__enabled",
        ),
        # KMA ASOS (data.go.kr, the same key as the holidays); OpenMeteoFake in the same
        # module serves the no-key provider.
        Source(
            "weather",
            "ingestion.sources.weather:weather_source",
            "ingestion.sandbox.weather_api:KmaAsosFake",
            dbt_switch="weather__enabled",
            store_secrets={"service_key": "DATA_GO_KR_SERVICE_KEY"},
            time_zone="Asia/Seoul",
        ),
        # The AE's plan from a Google Sheet (service account); off in dbt by default: the
        # embedded default reads the plan from seeds/plan/.
        Source(
            "google_sheets",
            "ingestion.sources.google_sheets:google_sheets_source",
            "ingestion.sandbox.google_sheets_api:GoogleSheetsFake",
            dbt_switch="google_sheets__enabled",
        ),
    )
}
