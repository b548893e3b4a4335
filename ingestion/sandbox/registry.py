"""Which fake serves which source, and the one way to start them.

The fakes are named in the source registry (:data:`ingestion.registry.SOURCES`); this
module builds and starts them on a world. The CLI's sandbox, the tests, the fault matrix
and the benchmarks all start fakes here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from ingestion import clock
from ingestion.registry import SOURCES
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.world import World, WorldConfig


def start_fake(source: str, world: World, faults: Faults | None = None, **options: Any) -> Any:
    """Builds and starts the fake of ``source`` on ``world``; the caller stops it.

    Args:
        source: A name in :data:`ingestion.registry.SOURCES`.
        world: The synthetic world it serves.
        faults: Its fault switches (a fresh set if omitted).
        **options: Keyword arguments of the fake, over the registry's ``fake_options``.
    """
    spec = SOURCES[source]
    fake = spec.fake_class()(world, faults or Faults(), **{**spec.fake_options, **options})
    fake.start()
    return fake


def start_fakes(
    world: World,
    sources: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Starts the fakes of ``sources`` (default: every source) on ``world``.

    If one fails to start, those already started are stopped before the error goes on.

    Args:
        world: The synthetic world they serve.
        sources: Source names, in the order to start them.
        overrides: Source -> keyword arguments of its fake (the benchmarks drop Kakao's
            report pacing).

    Returns:
        Source name -> started fake.
    """
    fakes: dict[str, Any] = {}
    try:
        for source in sources or SOURCES:
            fakes[source] = start_fake(source, world, **(overrides or {}).get(source, {}))
    except BaseException:
        stop_fakes(fakes)
        raise
    return fakes


def stop_fakes(fakes: Mapping[str, Any]) -> None:
    """Stops every fake of ``fakes``."""
    for fake in fakes.values():
        fake.stop()


def connector_options(source: str, fake: Any) -> dict[str, Any]:
    """What points the real connector of ``source`` at its started ``fake``, quickly."""
    return {**fake.source_options(), **SOURCES[source].sandbox_options}


@contextmanager
def sandbox(
    *,
    seed: int,
    scale: float,
    days: int,
    as_of: date | None = None,
    sources: Iterable[str] | None = None,
) -> Iterator[dict[str, dict[str, Any]]]:
    """A synthetic world served by the fakes of ``sources`` (default: all) on 127.0.0.1.

    Args:
        seed: The world's seed.
        scale: The world's scale factor.
        days: Days of history before ``as_of``.
        as_of: The world's today (default: today on ARGO's clock).
        sources: The sources to serve.

    Yields:
        Source name -> keyword arguments that point its real connector at its fake.
    """
    world = World(
        WorldConfig(seed=seed, scale=scale, history_days=days, as_of=as_of or clock.today())
    )
    fakes = start_fakes(world, sources)
    try:
        yield {source: connector_options(source, fake) for source, fake in fakes.items()}
    finally:
        stop_fakes(fakes)
