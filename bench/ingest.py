"""Ingestion benchmark: every source through dlt against a no-framework baseline.

For each source, in one run:

1. **live**: the real connector (``run_source``: the source's client, Arrow tables, dlt
   extract/normalize/load into DuckDB) against its fake API, which builds every answer
   from the synthetic world. Every request and answer is recorded.
2. **dlt**: the same connector again, into a fresh warehouse, against a replay server that
   serves the recorded answers. The fake's cost of inventing data is gone; what is left is
   HTTP on 127.0.0.1 plus the connector plus dlt.
3. **baseline**: the recorded requests sent again, one after another, to the same replay
   server by a plain ``requests`` loop that parses each answer (``json.loads``, CSV/TSV
   through ``pyarrow.csv``, XML) into an Arrow table and writes it straight into DuckDB,
   a JSON record's nested lists of objects as rows of child tables (:func:`child_tables`).
   No dlt, no schema, no state, no merge: the floor (bench/README.md, "How it measures").

The ratio is dlt / baseline. Each run is its own process, so peak memory is that run's
own (the fakes and the world live in the parent). The dlt run must load as many rows as
the live run, and the replay must have had an answer for every request; a difference is
printed and kept in the figures.

``memory_by_range`` runs each source live over longer histories and reports the peak of
the connector with extract and normalize apart from the load step's: a connector that
streams its pages keeps the same peak however many days it loads.

Children: ``python -m bench.ingest dlt <source> <warehouse> <options.json>`` and
``python -m bench.ingest baseline <warehouse> <exchanges.pickle> <root_url>``.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from dataclasses import asdict, dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import Child, answer, progress, run_child
from ingestion.registry import SOURCES as REGISTERED

SOURCES = (
    "meta_ads",
    "google_ads",
    "naver_searchad",
    "kakao_moment",
    "exchange_rates",
    "kr_holidays",
    "appsflyer",
    "adjust",
    "weather",
)


#: Per source, the sandbox's tuning (the registry's sandbox_options, which name only the
#: settings each source has) with the waits that only model the real APIs' latency made
#: negligible: a replayed answer is ready at once, and what is measured is the connector
#: and dlt, not sleeping. Kakao's fake stops enforcing its one-report-per-interval pacing
#: for the same reason.
FASTEST: dict[str, Any] = {"async_poll_interval": 0.001, "backoff_factor": 0.01}
TUNING: dict[str, dict[str, Any]] = {
    name: {key: FASTEST.get(key, value) for key, value in source.sandbox_options.items()}
    for name, source in REGISTERED.items()
}
FAKE_OVERRIDES: dict[str, dict[str, Any]] = {"kakao_moment": {"report_interval": 0.0}}
#: Per source, how many times the run's world scale it is measured at. Adjust's app
#: campaigns at scale 1 make about 14k rows, whose floor (under half a second) is less
#: than dlt's fixed cost per run (about 1 s: config, state, the load): the ratio would
#: measure that cost, not the connector. A world four times larger (four times the
#: advertisers, the same days) gives it the volume the other sources have; both sides
#: read the same recorded answers, as for every source.
SCALES: dict[str, float] = {"adjust": 4.0}


@dataclass
class SourceFigures:
    """One source's ingestion figures."""

    source: str
    days: int
    scale: float
    rows: int
    http_mb: float
    requests: int
    replay_misses: int
    dlt_rows: int
    live_seconds: float
    live_peak_rss_mb: float
    live_stream_peak_mb: float
    live_load_peak_mb: float
    fake_seconds: float
    dlt_seconds: float
    #: dlt's steps of the replayed run (``extract`` includes the connector's own work)
    dlt_extract_seconds: float
    dlt_normalize_seconds: float
    dlt_load_seconds: float
    dlt_peak_rss_mb: float
    baseline_seconds: float
    baseline_rows: int
    baseline_peak_rss_mb: float

    @property
    def ratio(self) -> float:
        """Dlt time over the baseline's (1.0: no overhead)."""
        return self.dlt_seconds / self.baseline_seconds if self.baseline_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The figures with the derived rates."""
        return {
            **asdict(self),
            "rows_per_second": round(self.rows / self.dlt_seconds) if self.dlt_seconds else 0,
            "mb_per_second": round(self.http_mb / self.dlt_seconds, 2) if self.dlt_seconds else 0,
            "dlt_vs_baseline": round(self.ratio, 2),
        }


# -- the replay server ---------------------------------------------------------------------


#: The request headers that name the account a request is for: Naver Search Ad's
#: ``X-Customer``, Kakao Moment's ``adAccountId`` (its listings' URLs are the same for
#: every ad account).
ACCOUNT_HEADERS = ("X-Customer", "adAccountId")


def _account(headers: Any) -> str:
    """The account a request's headers name (case-insensitive), or ``""``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return next((lowered[h.lower()] for h in ACCOUNT_HEADERS if h.lower() in lowered), "")


class ReplayServer:
    """Serves recorded answers on 127.0.0.1, matched on request and account.

    A request is its method, path with query and body; its account is the header that
    names it, if any (Naver's ``X-Customer``: its report jobs of one day have the same
    body for every customer, and run side by side; Kakao's ``adAccountId``: one listing
    URL for every ad account).

    Repeated requests (status polls) get their recorded answers in order, then the last
    one again. The fake's address in an answer (Meta's ``paging.next``, Naver's download
    URL) is rewritten to the replay server's. An unrecorded request gets a 599 and is
    counted in :attr:`misses`.
    """

    def __init__(self, exchanges: list[Any], fake_root: str) -> None:
        self._answers: dict[tuple[str, str, bytes, str], deque[tuple[int, str, bytes]]] = (
            defaultdict(deque)
        )
        self._exchanges = exchanges
        self._fake_root = fake_root.encode()
        self.misses: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.root_url = ""

    def start(self) -> str:
        """Starts serving; returns the root URL."""
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                account = _account(self.headers)
                status, content_type, payload = replay.answer(
                    self.command, self.path, body, account
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.root_url = f"http://127.0.0.1:{server.server_address[1]}"
        for exchange in self._exchanges:
            payload = exchange.response.replace(self._fake_root, self.root_url.encode())
            account = _account(exchange.headers)
            key = (exchange.method, exchange.target, exchange.body, account)
            self._answers[key].append((exchange.status, exchange.content_type, payload))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self.root_url

    def answer(
        self, method: str, target: str, body: bytes, account: str = ""
    ) -> tuple[int, str, bytes]:
        """The recorded answer to one request (``account``: its :data:`ACCOUNT_HEADERS`)."""
        with self._lock:
            queue = self._answers.get((method, target, body, account))
            if not queue:
                self.misses.append(f"{method} {target}")
                return 599, "text/plain", b"not recorded"
            return queue.popleft() if len(queue) > 1 else queue[0]

    def stop(self) -> None:
        """Stops serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


# -- children --------------------------------------------------------------------------------


class _MemorySampler(threading.Thread):
    """Samples this process's resident memory every 20 ms, with the wall time."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self._halt.is_set():
            with open("/proc/self/statm") as statm:
                resident = int(statm.read().split()[1]) * self._page
            self.samples.append((time.time(), resident))
            self._halt.wait(0.02)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def peak(self, since: float = 0.0, until: float = float("inf")) -> int:
        """Largest sample taken in ``[since, until]``."""
        return max((rss for at, rss in self.samples if since <= at <= until), default=0)


def child_dlt(source: str, warehouse: str, options_file: str) -> None:
    """Runs one source through dlt into ``warehouse``.

    Answers rows and seconds, and the peak memory before the load step (the connector,
    extract and normalize: the part that streams) apart from the load step's (DuckDB
    merging the load package into the warehouse, in this process).
    """
    from argo.pipeline import make_pipeline, run_source
    from argo.settings import use_warehouse

    use_warehouse(warehouse)
    options = json.loads(Path(options_file).read_text())
    sampler = _MemorySampler()
    sampler.start()
    started = time.perf_counter()
    result = run_source(source, **options)
    seconds = time.perf_counter() - started
    sampler.stop()
    trace = make_pipeline(source).last_trace
    load = next((s for s in trace.steps if s.step == "load"), None) if trace else None
    load_start = load.started_at.timestamp() if load else float("inf")
    steps = {
        step.step: (step.finished_at - step.started_at).total_seconds()
        for step in (trace.steps if trace else [])
        if step.step in ("extract", "normalize", "load") and step.finished_at
    }
    answer(
        {
            "seconds": seconds,
            "steps": steps,
            "rows": sum(result.rows.values()),
            "extract_normalize_peak_bytes": sampler.peak(until=load_start),
            "load_peak_bytes": sampler.peak(since=load_start),
        }
    )


def _largest_record_list(value: Any, depth: int = 0) -> list[dict[str, Any]]:
    """The longest list of objects among a document's nested object values."""
    best: list[dict[str, Any]] = []
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        best = value
    if isinstance(value, dict) and depth < 4:
        for item in value.values():
            found = _largest_record_list(item, depth + 1)
            if len(found) > len(best):
                best = found
    return best


def records_of(document: Any) -> list[dict[str, Any]]:
    """The records of a JSON answer: its longest list of objects.

    A top-level list of small wrappers that each hold records (Google Ads searchStream's
    batches of ``results``) gives the records of every wrapper.
    """
    if isinstance(document, list) and document and all(isinstance(x, dict) for x in document):
        inner = [_largest_record_list(dict(x), 1) for x in document]
        if all(inner) and all(len(x) <= 4 for x in document):
            return [record for batch in inner for record in batch]
        return document
    return _largest_record_list(document)


def _holds_records(kind: Any) -> bool:
    """Whether an Arrow type is a list of objects, or an object with one among its fields."""
    import pyarrow as pa

    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return bool(pa.types.is_struct(kind.value_type))
    if pa.types.is_struct(kind):
        return any(_holds_records(kind.field(i).type) for i in range(kind.num_fields))
    return False


def child_tables(table: str, batch: Any, ids: dict[str, int]) -> list[tuple[str, Any]]:
    """An Arrow batch of ``table`` with its nested lists of objects moved into child tables.

    The way dlt's normalizer unnests, without dlt, in Arrow: a column that is a list of
    objects is taken out of the batch, and each of its objects becomes a row of
    ``<table>__<column>``, with ``_parent_id``, the ``_id`` of its row (each row of a
    table with children is numbered, in ``ids`` across batches). An object column that
    holds such a list somewhere in it is first opened into its fields (``<column>__<field>``,
    as dlt names them), and child rows are unnested the same way, at every depth. A
    batch with no list of objects is returned as it is (Arrow's schema says so: nothing
    is looked at row by row). Lists of scalars stay list columns and other objects
    struct columns (DuckDB's ``LIST`` and ``STRUCT``).

    Returns:
        (table name, batch) pairs: ``table``'s own first, then its child tables'.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not any(_holds_records(field.type) for field in batch.schema):
        return [(table, batch)]
    while any(pa.types.is_struct(f.type) and _holds_records(f.type) for f in batch.schema):
        names: list[str] = []
        columns: list[Any] = []
        for name, column in zip(batch.column_names, batch.columns, strict=True):
            if pa.types.is_struct(column.type) and _holds_records(column.type):
                for index in range(column.type.num_fields):
                    names.append(f"{name}__{column.type.field(index).name}")
                    columns.append(pc.struct_field(column, [index]))
            else:
                names.append(name)
                columns.append(column)
        batch = pa.table(columns, names=names)
    first = ids.get(table, 0)
    ids[table] = first + batch.num_rows
    lists = [
        name
        for name, field in zip(batch.column_names, batch.schema, strict=True)
        if _holds_records(field.type)
    ]
    found = [(name, batch.column(name).combine_chunks()) for name in lists]
    batch = batch.drop_columns(lists).append_column(
        "_id", pa.array(range(first, first + batch.num_rows), pa.int64())
    )
    tables = [(table, batch)]
    for name, column in found:
        child = pa.Table.from_struct_array(pc.list_flatten(column)).append_column(
            "_parent_id", pc.add(pc.list_parent_indices(column), first)
        )
        tables += child_tables(f"{table}__{name}", child, ids)
    return tables


def _arrow_of(records: list[dict[str, Any]]) -> Any:
    """Records as an Arrow table, with a column for every key of any record.

    Records may leave a field out (Arrow's ``from_pylist`` keeps the first record's keys
    only, and would drop a field the first record lacks).
    """
    import pyarrow as pa

    names = list(records[0])
    names += sorted(set().union(*records).difference(names))
    return pa.table({name: [record.get(name) for record in records] for name in names})


class _Sink:
    """Writes Arrow batches into DuckDB tables, one per endpoint and nested list."""

    def __init__(self, path: str) -> None:
        import duckdb

        self.con = duckdb.connect(path)
        self.rows = 0
        self._buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._tables: dict[str, str] = {}
        self._created = 0
        self._ids: dict[str, int] = {}

    def add_records(self, table: str, rows: list[dict[str, Any]]) -> None:
        buffer = self._buffers[table]
        buffer.extend(rows)
        if len(buffer) >= 50_000:
            self.flush(table)

    def flush(self, table: str) -> None:
        buffer = self._buffers.pop(table, [])
        if buffer:
            self.write(table, _arrow_of(buffer))

    def write(self, table: str, batch: Any) -> None:
        """Stores ``batch`` in ``table``, its nested lists of objects in child tables."""
        for name, part in child_tables(table, batch, self._ids):
            self._store(name, part)

    def _store(self, table: str, batch: Any) -> None:
        import duckdb
        import pyarrow as pa

        # A column that is null throughout this batch is typed text, not NULL.
        for index, column in enumerate(batch.schema):
            if pa.types.is_null(column.type):
                batch = batch.set_column(index, column.name, batch.column(index).cast(pa.string()))
        self.rows += batch.num_rows
        self.con.register("batch", batch)
        name = self._tables.get(table)
        try:
            if name is None:
                raise KeyError(table)
            self.con.execute(f'insert into "{name}" by name select * from batch')
        except (KeyError, duckdb.Error):
            # First batch of the endpoint, or a shape the table does not take: a new table.
            self._created += 1
            name = f"{table}_{self._created}"
            self.con.execute(f'create table "{name}" as select * from batch')
            self._tables[table] = name
        self.con.unregister("batch")

    def close(self) -> None:
        for table in list(self._buffers):
            self.flush(table)
        self.con.close()


def _table_name(target: str) -> str:
    path = target.split("?", 1)[0].strip("/").split("/")
    words = [part for part in path if part and not part[0].isdigit()][-2:]
    return "_".join(words).replace("-", "_").replace(".", "_").lower() or "root"


def _parse(exchange_target: str, content_type: str, payload: bytes, sink: _Sink) -> None:
    import pyarrow.csv as pacsv

    table = _table_name(exchange_target)
    if "json" in content_type:
        rows = records_of(json.loads(payload))
        if rows:
            sink.add_records(table, rows)
    elif "csv" in content_type:
        sink.write(table, pacsv.read_csv(io.BytesIO(payload)))
    elif "xml" in content_type:
        items = [
            {child.tag: child.text for child in item}
            for item in ET.fromstring(payload).iter("item")
        ]
        if items:
            sink.add_records(table, items)
    elif "octet-stream" in content_type and payload:
        # Naver's report downloads: TSV without a header row.
        sink.write(
            table,
            pacsv.read_csv(
                io.BytesIO(payload),
                read_options=pacsv.ReadOptions(autogenerate_column_names=True),
                parse_options=pacsv.ParseOptions(delimiter="\t"),
            ),
        )


def child_baseline(warehouse: str, exchanges_file: str, root_url: str) -> None:
    """Sends the recorded requests to ``root_url``; writes every answer's rows to DuckDB."""
    import requests

    with open(exchanges_file, "rb") as handle:
        exchanges = pickle.load(handle)
    session = requests.Session()
    sink = _Sink(warehouse)
    started = time.perf_counter()
    for exchange in exchanges:
        headers = {
            k: v for k, v in exchange.headers.items() if k.lower() not in ("host", "content-length")
        }
        response = session.request(
            exchange.method, root_url + exchange.target, data=exchange.body or None, headers=headers
        )
        if response.status_code == 200:
            _parse(
                exchange.target,
                response.headers.get("Content-Type", ""),
                response.content,
                sink,
            )
    sink.close()
    answer({"seconds": time.perf_counter() - started, "rows": sink.rows})


# -- the benchmark ---------------------------------------------------------------------------


def _options(fake: Any, tuning: dict[str, Any], root: str | None = None) -> dict[str, Any]:
    options = {**fake.source_options(), **tuning}
    if root is not None:
        options = {
            k: v.replace(fake.root_url, root) if isinstance(v, str) else v
            for k, v in options.items()
        }
    return options


def _mb(size: int) -> float:
    return round(size / 1e6, 1)


def _world(seed: int, scale: float, days: int, as_of: date) -> Any:
    from ingestion.sandbox import World, WorldConfig

    return World(WorldConfig(seed=seed, scale=scale, history_days=days, as_of=as_of))


def _live(
    source: str, fake: Any, warehouse: Path, workdir: Path, tuning: dict[str, Any]
) -> tuple[Child, float, int, float]:
    """One live run: the child, the fake's busy seconds, requests, and MB served."""
    options_file = workdir / f"{source}.options.json"
    options_file.write_text(json.dumps(_options(fake, tuning)))
    busy, served, count = fake.busy_seconds, fake.bytes_served, len(fake.requests)
    child = run_child("bench.ingest", "dlt", source, str(warehouse), str(options_file))
    return (
        child,
        fake.busy_seconds - busy,
        len(fake.requests) - count,
        (fake.bytes_served - served) / 1e6,
    )


def run(
    *,
    seed: int,
    scale: float,
    days: int,
    as_of: date,
    workdir: Path,
    sources: tuple[str, ...] = SOURCES,
) -> list[SourceFigures]:
    """Live, dlt and baseline runs of every source over ``days`` of history.

    Each source is measured on a world of ``scale`` times its :data:`SCALES` entry.
    """
    figures: list[SourceFigures] = []
    for kind in ("live", "dlt", "baseline"):
        (workdir / kind).mkdir(parents=True, exist_ok=True)
    for times in sorted({SCALES.get(source, 1.0) for source in sources}):
        group = tuple(s for s in sources if SCALES.get(s, 1.0) == times)
        world = _world(seed, scale * times, days, as_of)
        figures += _measure(world, group, days=days, scale=scale * times, workdir=workdir)
    return sorted(figures, key=lambda f: sources.index(f.source))


def _measure(
    world: Any, sources: tuple[str, ...], *, days: int, scale: float, workdir: Path
) -> list[SourceFigures]:
    """Live, dlt and baseline runs of ``sources`` against the fakes of ``world``."""
    from ingestion.sandbox.registry import start_fakes, stop_fakes

    fakes: dict[str, Any] = {}
    figures: list[SourceFigures] = []
    try:
        fakes = start_fakes(world, overrides=FAKE_OVERRIDES)
        for source in sources:
            fake = fakes[source]
            fake.exchanges = []
            progress(f"ingest {source}: live run against its fake ({days} days, scale {scale})")
            live, fake_seconds, requests, http_mb = _live(
                source, fake, workdir / "live" / f"{source}.duckdb", workdir, TUNING[source]
            )
            exchanges, fake.exchanges = fake.exchanges, None
            replay = ReplayServer(exchanges, fake.root_url)
            replay.start()
            try:
                progress(f"ingest {source}: dlt run against the replayed answers")
                options_file = workdir / f"{source}.replay.json"
                options_file.write_text(json.dumps(_options(fake, TUNING[source], replay.root_url)))
                dlt_run = run_child(
                    "bench.ingest",
                    "dlt",
                    source,
                    str(workdir / "dlt" / f"{source}.duckdb"),
                    str(options_file),
                )
                progress(f"ingest {source}: baseline (requests -> Arrow -> DuckDB, no dlt)")
                exchanges_file = workdir / f"{source}.exchanges.pickle"
                with open(exchanges_file, "wb") as handle:
                    pickle.dump(exchanges, handle)
                baseline = run_child(
                    "bench.ingest",
                    "baseline",
                    str(workdir / "baseline" / f"{source}.duckdb"),
                    str(exchanges_file),
                    replay.root_url,
                )
                exchanges_file.unlink()
            finally:
                replay.stop()
            if int(dlt_run.answer["rows"]) != int(live.answer["rows"]):
                progress(
                    f"ingest {source}: the replayed dlt run loaded {dlt_run.answer['rows']:,} "
                    f"rows, the live run {live.answer['rows']:,}"
                )
            if replay.misses:
                progress(
                    f"ingest {source}: {len(replay.misses)} requests were not in the recording "
                    f"(first: {replay.misses[0]}); the dlt figure includes their failures"
                )
            figures.append(
                SourceFigures(
                    source=source,
                    days=days,
                    scale=scale,
                    rows=int(live.answer["rows"]),
                    http_mb=round(http_mb, 2),
                    requests=requests,
                    replay_misses=len(replay.misses),
                    dlt_rows=int(dlt_run.answer["rows"]),
                    live_seconds=round(live.answer["seconds"], 2),
                    live_peak_rss_mb=round(live.peak_rss_mb, 1),
                    live_stream_peak_mb=_mb(live.answer["extract_normalize_peak_bytes"]),
                    live_load_peak_mb=_mb(live.answer["load_peak_bytes"]),
                    fake_seconds=round(fake_seconds, 2),
                    dlt_seconds=round(dlt_run.answer["seconds"], 2),
                    **{
                        f"dlt_{step}_seconds": round(dlt_run.answer["steps"].get(step, 0.0), 2)
                        for step in ("extract", "normalize", "load")
                    },
                    dlt_peak_rss_mb=round(dlt_run.peak_rss_mb, 1),
                    baseline_seconds=round(baseline.answer["seconds"], 2),
                    baseline_rows=int(baseline.answer["rows"]),
                    baseline_peak_rss_mb=round(baseline.peak_rss_mb, 1),
                )
            )
    finally:
        stop_fakes(fakes)
    return figures


def memory_by_range(
    *,
    seed: int,
    scale: float,
    ranges: tuple[int, ...],
    as_of: date,
    workdir: Path,
    keep: Path | None = None,
    sources: tuple[str, ...] = SOURCES,
) -> list[dict[str, Any]]:
    """Peak memory and time of each source's live run over each history length.

    Args:
        seed: Seed of the world.
        scale: Scale of the world.
        ranges: Days of history to load, one world per range.
        as_of: The world's today.
        workdir: Where the warehouses go.
        keep: Where to leave the warehouse of the longest range (the transform benchmark
            starts from it); each source loads into it.
        sources: The sources to run.
    """
    from ingestion.sandbox.registry import start_fakes, stop_fakes

    rows: list[dict[str, Any]] = []
    workdir.mkdir(parents=True, exist_ok=True)
    for days in ranges:
        fakes: dict[str, Any] = {}
        warehouse = (
            keep
            if keep is not None and days == max(ranges)
            else workdir / f"days_{days}" / "argo.duckdb"
        )
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        try:
            fakes = start_fakes(_world(seed, scale, days, as_of), overrides=FAKE_OVERRIDES)
            for source in sources:
                progress(f"memory: {source} over {days} days")
                child, _, _, http_mb = _live(
                    source, fakes[source], warehouse, workdir, TUNING[source]
                )
                rows.append(
                    {
                        "source": source,
                        "days": days,
                        "rows": int(child.answer["rows"]),
                        "http_mb": round(http_mb, 2),
                        "seconds": round(child.answer["seconds"], 2),
                        "peak_rss_mb": round(child.peak_rss_mb, 1),
                        "stream_peak_mb": _mb(child.answer["extract_normalize_peak_bytes"]),
                        "load_peak_mb": _mb(child.answer["load_peak_bytes"]),
                    }
                )
        finally:
            stop_fakes(fakes)
    return rows


def main(argv: list[str]) -> int:
    """Child entry points (see the module docstring)."""
    if argv[:1] == ["dlt"]:
        child_dlt(*argv[1:4])
    elif argv[:1] == ["baseline"]:
        child_baseline(*argv[1:4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
