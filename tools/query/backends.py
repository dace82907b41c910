"""Where a query runs: the DuckDB query cache (default), DuckDB over the Parquet files, Spark, or any ibis
backend.

Every source hands the compiler the same canonical `events` table (the cache adds precomputed local-time
columns, which the compiler then uses instead of computing them).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from tools.events.schema import EVENTS, PRODUCTS
from tools.events.store import EventStore
from tools.query.cache import CacheUnavailable, QueryCache, store_state
from tools.query.plan import DataSpan
from tools.query.spec import QuerySpecError

BACKENDS = ("duckdb", "spark")
log = logging.getLogger(__name__)


class QueryBackendError(RuntimeError):
    """The backend cannot serve the query (e.g. it has no `events` table)."""


@dataclass
class Source:
    """The tables one query reads, and how to cancel it."""

    name: str  # "duckdb" (cache), "duckdb-parquet", "pyspark", or the ibis backend's name
    events: ir.Table
    catalog: ibis.BaseBackend  # where the `products` table lives (for checking filter values)
    interrupt: Callable[[], None] | None
    session_hours: ir.Table | None = None  # only from the cache
    span_key: tuple | None = None  # identifies the data for remembering its span; None = always scan
    duckdb: Any = None  # a DuckDB connection that runs compiled SQL text directly (DuckDB sources only)
    plan_key: str = ""  # sources with equal plan keys compile a spec to the same SQL


def table_or_none(con: ibis.BaseBackend, name: str) -> ir.Table | None:
    """`con.table(name)`, or None when it has no such table."""
    # Looked up directly: ibis 12's DuckDB list_tables() calls an API that duckdb 2.0 removed.
    try:
        return con.table(name)
    except ibis.common.exceptions.TableNotFound:
        return None


_per_thread = threading.local()  # DuckDB connections are not shared between threads
_caches: dict[str, QueryCache] = {}
_caches_lock = threading.Lock()
_KEPT = 8
# every DuckDB connection made here, closed at exit (before the interpreter tears down)
_opened: list[Any] = []


@atexit.register
def _close_all() -> None:
    for cache in list(_caches.values()):
        cache.close()
    for con in _opened:
        con.close()


def _bounded(cache: dict, key: Any, make: Callable[[], Any]) -> Any:
    if key not in cache:
        cache[key] = make()
        while len(cache) > _KEPT:
            cache.pop(next(iter(cache)))
    return cache[key]


def store_views(store: EventStore) -> tuple[ibis.BaseBackend, Any]:
    """An ibis DuckDB backend over the store's Parquet views (reused per thread) and its DuckDB connection."""

    def make() -> tuple[ibis.BaseBackend, Any]:
        con = store.connect()  # sets TimeZone=UTC, which the local-time arithmetic relies on
        _opened.append(con)
        return ibis.duckdb.from_connection(con), con

    return _bounded(_per_thread.__dict__.setdefault("views", {}), str(store.root.resolve()), make)


def query_cache(store: EventStore) -> QueryCache:
    """The process-wide QueryCache of `store` (one per store root)."""
    with _caches_lock:
        return _bounded(_caches, str(store.root.resolve()), lambda: QueryCache(store))


def _spark_schema(schema: Any) -> Any:
    import pyarrow as pa
    from pyspark.sql import types as T

    def spark_type(arrow_type: pa.DataType) -> Any:
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
    UTC: local time is computed from UTC epoch seconds and day boundaries must not shift with the session.
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
        struct = _spark_schema(schema)  # given, not inferred: no Spark job just to read footers
        frame = (spark.read.schema(struct).parquet(*map(str, files)) if files
                 else spark.createDataFrame([], struct))
        frame.createOrReplaceTempView(name)
    return ibis.pyspark.connect(spark), spark.sparkContext.cancelAllJobs


def open_source(
    store: EventStore | None, backend: str | ibis.BaseBackend, spec_uses_sessions: bool, cache: bool
) -> Source:
    """The tables to run one query on."""
    if isinstance(backend, ibis.BaseBackend):
        events = table_or_none(backend, "events")
        if events is None:
            raise QueryBackendError(f"The {backend.name} backend has no `events` table with the canonical "
                                    "columns.")
        interrupt = getattr(getattr(backend, "con", None), "interrupt", None)
        return Source(backend.name, events, backend, interrupt, plan_key=f"{backend.name}:{id(backend)}")
    if backend not in BACKENDS:
        raise QuerySpecError(f"Unknown backend {backend!r}. Valid backends: "
                             f"{', '.join(BACKENDS)} (or an ibis backend).")
    if store is None:
        raise QuerySpecError(f"The {backend!r} backend reads an EventStore; "
                             "pass one (or pass an ibis backend).")
    if backend == "spark":
        con, interrupt = spark_backend(store)
        return Source("pyspark", con.table("events"), con, interrupt, span_key=store_state(store),
                      plan_key="pyspark")
    views, views_con = store_views(store)
    if cache:
        try:
            cached = query_cache(store)
            cached.sync(progress=True)
            events, sessions, cursor = cached.tables()
            return Source("duckdb", events, views, cursor.interrupt, sessions if spec_uses_sessions else None,
                          span_key=store_state(store), duckdb=cursor, plan_key="duckdb-cache")
        except CacheUnavailable as exc:
            log.warning("%s; querying the Parquet files directly", exc)
    return Source("duckdb-parquet", views.table("events"), views, views_con.interrupt,
                  span_key=store_state(store), duckdb=views_con, plan_key="duckdb-parquet")


_spans: dict[tuple, DataSpan] = {}


def data_span(source: Source, run: Callable[[Callable[[], pd.DataFrame]], pd.DataFrame]) -> DataSpan:
    """First and last event time of the source's events and the currencies of their money, remembered until
    the store's files change."""
    if source.span_key is not None and source.span_key in _spans:
        return _spans[source.span_key]
    events = source.events
    row = run(events.aggregate(first=events.event_time.min(), last=events.event_time.max()).execute)
    money = events.filter(events.event_type.isin(["purchase", "refund"]) & events.currency.notnull())
    currencies = run(money.select("currency").distinct().execute)["currency"]
    span = DataSpan(first=_utc(row["first"].iloc[0]), last=_utc(row["last"].iloc[0]),
                    currencies=tuple(sorted(str(c) for c in currencies)))
    if source.span_key is not None:
        _spans.clear()  # one store at a time is the common case; keep memory flat
        _spans[source.span_key] = span
    return span


def _utc(value: Any) -> Any:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()
