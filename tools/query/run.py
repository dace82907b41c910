"""Running a spec: pick a backend, resolve the spec against the data, execute under a timeout, tidy the
frame."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from tools.errors import EngineInputError
from tools.events.profile import ShopProfile
from tools.events.store import EventStore
from tools.query.backends import Source, data_span, open_source, table_or_none
from tools.query.cache import uses_session_hours
from tools.query.compile import compile_query
from tools.query.localtime import day_from_number
from tools.query.metrics import MONEY_METRICS
from tools.query.plan import QueryPlan, plan_query
from tools.query.result import QueryResult
from tools.query.spec import (
    COUNT_METRICS,
    MAX_ROWS,
    WEEKDAYS,
    QuerySpec,
    QuerySpecError,
    Spike,
    parse_spec,
    resolve_places,
)

DEFAULT_TIMEOUT_S = 30.0


class QueryTimeout(EngineInputError):
    """A query ran past its time limit and was cancelled."""


def _execute(
    call: Callable[[], Any], interrupt: Callable[[], None] | None, timeout_s: float, limit_s: float
) -> Any:
    """Run `call`, cancelling it through `interrupt` after `timeout_s` seconds (what is left of `limit_s`)."""
    done = threading.Event()
    fired = threading.Event()

    def cancel() -> None:
        if done.wait(timeout_s):
            return
        fired.set()
        # Interrupt until the call returns: an interrupt that lands before the backend has started running
        # (while ibis still compiles) is a no-op, so one alone could let the query run on unbounded.
        while interrupt is not None and not done.wait(0.05):
            interrupt()

    watchdog = threading.Thread(target=cancel, daemon=True, name="query-timeout")
    watchdog.start()
    try:
        return call()
    except Exception as exc:
        if fired.is_set():
            raise QueryTimeout(f"The query ran past {limit_s:g} s and was cancelled; narrow the filters or "
                               f"the period, or raise the timeout.") from exc
        raise
    finally:
        done.set()


def _resolve_catalog_values(source: Source, spec: QuerySpec) -> QuerySpec:
    """Check filtered categories and products against the data; fix their case. Unknown ones fail with
    choices."""
    filters = spec.filters
    if not filters.categories and not filters.products:
        return spec
    products, events = table_or_none(source.catalog, "products"), source.events
    has_products = products is not None and int(products.count().execute()) > 0
    updates: dict[str, list[str]] = {}
    if filters.categories:
        table = products if has_products else events
        known = sorted(c for c in table.select("category").distinct().execute()["category"]
                       if isinstance(c, str))
        updates["categories"] = _match("category", filters.categories, known)
    if filters.products and has_products:
        found = products.filter(products.product_id.isin(filters.products)).select("product_id").execute()
        missing = [p for p in filters.products if p not in set(found["product_id"])]
        if missing:
            sample = products.select("product_id").order_by("product_id").limit(12).execute()["product_id"]
            raise QuerySpecError(
                f"Unknown product {missing[0]!r}. Product ids look like: "
                f"{', '.join(sample)} (see the products table for all)."
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


_compiled: OrderedDict[tuple, str] = OrderedDict()
_compiled_lock = threading.Lock()
_COMPILED_KEPT = 256


def compiled_sql(source: Source, table: ir.Table, spec: QuerySpec, plan: QueryPlan) -> str:
    """The SQL of `spec` on a DuckDB source, compiled once per (source kind, spec, resolved plan).

    Compiling the ibis expression costs more than running most queries on the cache, and dashboards and
    agents repeat questions; the plan holds every data-dependent value (as_of, date ranges, exposure), so a
    changed store gives a new key rather than stale SQL.
    """
    key = (source.plan_key, source.session_hours is not None, spec.model_dump_json(), plan)
    with _compiled_lock:
        if key in _compiled:
            _compiled.move_to_end(key)
            return _compiled[key]
    sql = str(ibis.to_sql(compile_query(table, spec, plan)))
    with _compiled_lock:
        _compiled[key] = sql
        while len(_compiled) > _COMPILED_KEPT:
            _compiled.popitem(last=False)
    return sql


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


def _named_products(source: Source, frame: pd.DataFrame,
                    run: Callable[[Callable[[], pd.DataFrame]], pd.DataFrame]) -> pd.DataFrame:
    """A per-product frame with each product's catalogue name beside its id (`product_name`), where the
    catalogue has one: a ranking by product had named "P0497" only."""
    products = table_or_none(source.catalog, "products")
    if "product" not in frame.columns or frame.empty or products is None or "name" not in products.columns:
        return frame
    ids = [str(p) for p in frame["product"].dropna().unique()]
    names = run(products.filter(products.product_id.isin(ids)).select("product_id", "name").execute)
    known = {product: name for product, name in zip(names["product_id"], names["name"], strict=True)
             if isinstance(name, str)}
    return frame.assign(product_name=frame["product"].map(known)) if known else frame


def run_query(
    store: EventStore | None,
    spec: QuerySpec | dict[str, Any] | str,
    backend: str | ibis.BaseBackend = "duckdb",
    *,
    profile: ShopProfile | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    cache: bool = True,
) -> QueryResult:
    """Answer `spec` over the store's events, with the places, zones and money of the shop's profile.

    backend: "duckdb" (default; through the store's QueryCache unless `cache=False`, then over its Parquet
    files), "spark" (the active or a local SparkSession over the Parquet files), or any ibis backend with an
    `events` table in the canonical columns (Trino, ClickHouse, a Spark cluster; `store` may then be None).
    `profile`: the shop's profile (default: the store's own; pass one with a store-less backend).
    Raises QuerySpecError for a spec that cannot run (listing the valid choices) and QueryTimeout past
    `timeout_s`.
    """
    started = time.perf_counter()
    if not isinstance(spec, QuerySpec):
        spec = parse_spec(spec)
    profile = profile or (store.profile() if store is not None else ShopProfile())
    spec = resolve_places(spec, profile)
    source = open_source(store, backend, uses_session_hours(spec), cache)

    def run(call: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        return _execute(call, source.interrupt, max(0.01, timeout_s - (time.perf_counter() - started)),
                        timeout_s)

    spec = _resolve_catalog_values(source, spec)
    span = data_span(source, run)
    plan = plan_query(spec, span, profile)
    table = source.session_hours if source.session_hours is not None else source.events
    expr, sql = None, None
    if source.duckdb is not None:
        sql = compiled_sql(source, table, spec, plan)
        raw = run(lambda: source.duckdb.execute(sql).df())
    else:
        expr = compile_query(table, spec, plan)
        raw = run(expr.execute)
    truncated = spec.top_k is None and len(raw) > MAX_ROWS
    raw = raw.head(MAX_ROWS)
    groups = None
    if "groups_total" in raw.columns:
        groups = ((int(raw["groups_supported"].iloc[0]), int(raw["groups_total"].iloc[0])) if len(raw)
                  else None)
        raw = raw.drop(columns=["groups_total", "groups_supported"])
    return QueryResult(
        profile=profile,
        spec=spec,
        frame=_named_products(source, tidy_frame(raw, spec), run),
        plan=plan,
        backend=source.name,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        truncated=truncated,
        spike_groups=groups,
        expr=expr,
        query_sql=sql,
        unrated=profile.unrated(span.currencies) if spec.metric in MONEY_METRICS else (),
    )
