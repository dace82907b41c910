"""Running a spec: pick a backend, resolve the spec against the data, execute under a timeout, tidy the frame."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

import ibis
import ibis.expr.types as ir
import pandas as pd

from tools.events.schema import EVENTS, PRODUCTS
from tools.events.store import EventStore
from tools.query.compile import compile_query
from tools.query.localtime import day_from_number
from tools.query.plan import DataSpan, QueryPlan, plan_query
from tools.query.result import QueryResult
from tools.query.spec import MAX_ROWS, WEEKDAYS, COUNT_METRICS, QuerySpec, QuerySpecError, Spike, parse_spec

BACKENDS = ("duckdb", "spark")
DEFAULT_TIMEOUT_S = 30.0


class QueryTimeout(TimeoutError):
    """A query ran past its time limit and was cancelled."""


class QueryBackendError(RuntimeError):
    """The backend cannot serve the query (e.g. it has no `events` table)."""


_per_thread = threading.local()  # DuckDB connections are not shared between threads
_CACHED_STORES = 8


def duckdb_backend(store: EventStore) -> tuple[ibis.BaseBackend, Callable[[], None]]:
    """An ibis DuckDB backend over the store's views, and the function that interrupts its running query.

    Connections are reused per thread; the views glob the files at query time, so new data shows up. A new
    connection is made once live batches or partitions first appear, since the views only read kinds of
    files that existed when they were made.
    """
    key = (
        str(store.root.resolve()),
        any((store.root / "events").glob("event_date=*/part-*.parquet")),
        any((store.root / "live").glob("batch-*.parquet")),
    )
    cache: dict = _per_thread.__dict__.setdefault("duckdb", {})
    if key not in cache:
        con = store.connect()  # sets TimeZone=UTC, which the local-time arithmetic relies on
        cache[key] = (ibis.duckdb.from_connection(con), con.interrupt)
        while len(cache) > _CACHED_STORES:
            cache.pop(next(iter(cache)))
    return cache[key]


def _spark_schema(schema) -> Any:
    from pyspark.sql import types as T

    def spark_type(arrow_type):
        import pyarrow as pa

        if pa.types.is_timestamp(arrow_type):
            return T.TimestampType()
        return {
            pa.string(): T.StringType(), pa.float64(): T.DoubleType(), pa.int32(): T.IntegerType(),
            pa.int8(): T.ByteType(), pa.date32(): T.DateType(),
        }[arrow_type]

    return T.StructType([T.StructField(f.name, spark_type(f.type), True) for f in schema])


def spark_backend(store: EventStore, session: Any = None) -> tuple[ibis.BaseBackend, Callable[[], None]]:
    """An ibis pyspark backend with temp views `events` and `products` over the store's Parquet files.

    Uses `session`, else the active SparkSession, else starts a local one. The session time zone is set to
    UTC (local time is computed from UTC epoch seconds; day boundaries must not shift with the session).
    """
    from pyspark.sql import SparkSession

    spark = session or SparkSession.getActiveSession()
    if spark is None:
        spark = (
            SparkSession.builder.master("local[*]")
            .appName("chronotope-query")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    for name, schema, files in (
        ("events", EVENTS, store.event_files()),
        ("products", PRODUCTS, store.table_files("products")),
    ):
        reader = spark.read.schema(_spark_schema(schema))
        frame = reader.parquet(*map(str, files)) if files else spark.createDataFrame([], _spark_schema(schema))
        frame.createOrReplaceTempView(name)
    return ibis.pyspark.connect(spark), spark.sparkContext.cancelAllJobs


def _backend(store: EventStore | None, backend: str | ibis.BaseBackend) -> tuple[ibis.BaseBackend, Callable[[], None] | None, str]:
    if isinstance(backend, ibis.BaseBackend):
        interrupt = getattr(getattr(backend, "con", None), "interrupt", None)
        return backend, interrupt, backend.name
    if backend not in BACKENDS:
        raise QuerySpecError(f"Unknown backend {backend!r}. Valid backends: {', '.join(BACKENDS)} (or an ibis backend).")
    if store is None:
        raise QuerySpecError(f"The {backend!r} backend reads an EventStore; pass one (or pass an ibis backend).")
    con, interrupt = duckdb_backend(store) if backend == "duckdb" else spark_backend(store)
    return con, interrupt, con.name


def _execute(expr: ir.Expr, interrupt: Callable[[], None] | None, timeout_s: float) -> Any:
    """Run `expr`, cancelling it through `interrupt` after `timeout_s` seconds."""
    fired = threading.Event()

    def cancel() -> None:
        fired.set()
        if interrupt is not None:
            interrupt()

    timer = threading.Timer(timeout_s, cancel)
    timer.daemon = True
    timer.start()
    try:
        return expr.execute()
    except Exception as exc:
        if fired.is_set():
            raise QueryTimeout(f"The query ran past {timeout_s:g} s and was cancelled; narrow the filters or "
                               f"the period, or raise the timeout.") from exc
        raise
    finally:
        timer.cancel()


def _utc(value: Any) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()


def data_span(events: ir.Table, interrupt: Callable[[], None] | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> DataSpan:
    """First and last event time of the events table."""
    row = _execute(events.aggregate(first=events.event_time.min(), last=events.event_time.max()), interrupt, timeout_s)
    return DataSpan(first=_utc(row["first"].iloc[0]), last=_utc(row["last"].iloc[0]))


_spans: dict[tuple, DataSpan] = {}


def store_span(store: EventStore, events: ir.Table, interrupt: Callable[[], None] | None, timeout_s: float) -> DataSpan:
    """`data_span` of a store, remembered until its event files change (a scan of every event time is not free)."""
    files = store.event_files()
    key = (str(store.root.resolve()), tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files))
    if key not in _spans:
        _spans.clear()  # one store at a time is the common case; keep the memory flat
        _spans[key] = data_span(events, interrupt, timeout_s)
    return _spans[key]


def _table(con: ibis.BaseBackend, name: str) -> ir.Table | None:
    # Looked up directly: ibis 12's DuckDB list_tables() calls an API that duckdb 2.0 removed.
    try:
        return con.table(name)
    except ibis.common.exceptions.TableNotFound:
        return None


def _resolve_catalog_values(con: ibis.BaseBackend, events: ir.Table, spec: QuerySpec) -> QuerySpec:
    """Check filtered categories and products against the data; fix their case. Unknown ones fail with choices."""
    filters = spec.filters
    if not filters.categories and not filters.products:
        return spec
    products = _table(con, "products")
    has_products = products is not None and int(products.count().execute()) > 0
    updates: dict[str, list[str]] = {}
    if filters.categories:
        source = products if has_products else events
        known = sorted(c for c in source.select("category").distinct().execute()["category"] if isinstance(c, str))
        updates["categories"] = _match("category", filters.categories, known)
    if filters.products and has_products:
        found = products.filter(products.product_id.isin(filters.products)).select("product_id").execute()
        missing = [p for p in filters.products if p not in set(found["product_id"])]
        if missing:
            sample = products.select("product_id").order_by("product_id").limit(12).execute()["product_id"]
            raise QuerySpecError(
                f"Unknown product {missing[0]!r}. Product ids look like: {', '.join(sample)} (see the products "
                f"table for all)."
            )
    if not updates:
        return spec
    return spec.model_copy(update={"filters": filters.model_copy(update=updates)})


def _match(what: str, wanted: list[str], known: list[str]) -> list[str]:
    by_key = {k.casefold(): k for k in known}
    matched = []
    for value in wanted:
        if value.casefold() not in by_key:
            raise QuerySpecError(f"Unknown {what} {value!r}. Valid {what} values: {', '.join(known)}.")
        matched.append(by_key[value.casefold()])
    return matched


def tidy_frame(raw: pd.DataFrame, spec: QuerySpec) -> pd.DataFrame:
    """Readable columns: weekday names, dates for day/week/month, integer counts."""
    frame = raw.reset_index(drop=True)
    for name in spec.group_by:
        if name == "day_of_week":
            frame[name] = frame[name].map(lambda d: WEEKDAYS[int(d)].capitalize())
        elif name in ("day", "week"):
            frame[name] = frame[name].map(lambda d: day_from_number(int(d)))
        elif name == "month":
            frame[name] = frame[name].map(lambda k: datetime(int(k) // 12, int(k) % 12 + 1, 1).date())
        elif name == "hour_of_day":
            frame[name] = frame[name].astype("int64")
    counts = ["window_count", "baseline_count"] if isinstance(spec.comparison, Spike) else []
    if spec.metric in COUNT_METRICS or spec.metric in ("sessions", "unique_users"):
        counts += [c for c in ("current", "previous", "change", spec.metric) if c in frame.columns]
    for column in counts:
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def run_query(
    store: EventStore | None,
    spec: QuerySpec | dict[str, Any] | str,
    backend: str | ibis.BaseBackend = "duckdb",
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryResult:
    """Answer `spec` over the store's events on DuckDB (default), Spark, or any ibis backend with an `events` table.

    Raises QuerySpecError for a spec that cannot run (with the valid choices) and QueryTimeout past `timeout_s`.
    """
    started = time.perf_counter()
    if not isinstance(spec, QuerySpec):
        spec = parse_spec(spec)
    con, interrupt, name = _backend(store, backend)
    events = _table(con, "events")
    if events is None:
        raise QueryBackendError(f"The {name} backend has no `events` table with the canonical event columns.")
    spec = _resolve_catalog_values(con, events, spec)
    if isinstance(backend, str):
        span = store_span(store, events, interrupt, timeout_s)
    else:
        span = data_span(events, interrupt, timeout_s)
    plan: QueryPlan = plan_query(spec, span)
    expr = compile_query(events, spec, plan)
    raw = _execute(expr, interrupt, max(0.1, timeout_s - (time.perf_counter() - started)))
    truncated = spec.top_k is None and len(raw) > MAX_ROWS
    raw = raw.head(MAX_ROWS)
    groups_considered = None
    if "groups_total" in raw.columns:
        groups_considered = int(raw["groups_total"].iloc[0]) if len(raw) else None
        raw = raw.drop(columns=["groups_total"])
    return QueryResult(
        spec=spec,
        frame=tidy_frame(raw, spec),
        plan=plan,
        backend=name,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        truncated=truncated,
        groups_considered=groups_considered,
        expr=expr,
    )
