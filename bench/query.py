"""Query engine benchmark: five canonical geo-behaviour queries, DuckDB (query cache) vs plain pandas.

    nice .venv/bin/python bench/query.py                      # 10M demo events (generated once, ~10 min)
    .venv/bin/python bench/query.py --events 1000000 --runs 5

The demo shop (seeded, fixed end date 2026-11-15) is generated under `<data dir>/bench/query/<N>/store` when
missing; the query cache beside it is built or synced first and its build time reported. Each query runs
`--runs` times through `run_query` (end to end: spec validation, resolving the period, execution, tidy frame;
the SQL compiled on the first, cold run, also reported, is reused as any repeated question would) and through
a straightforward pandas implementation over the events already loaded in memory (the load is reported
apart, not counted). Results must be equal, or the script exits non-zero. The DuckDB-over-Parquet path
(`cache=False`) is timed too, for reference. Lines are `name: value unit`; the last is the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.config import Settings
from tools.events.regions import COUNTRIES, region_timezones
from tools.events.simulate.profile import demo_profile
from tools.events.store import EventStore
from tools.query import QuerySpec, run_query
from tools.query.backends import query_cache

END = date(2026, 11, 15)
DEMO = demo_profile()  # the pandas baseline converts money with the demo shop's own rates
SPECS: dict[str, dict] = {
    "friday_spike_by_region": {"metric": "orders", "group_by": ["region"], "comparison": {"kind": "spike"}},
    "revenue_by_category_30d": {"metric": "revenue", "group_by": ["category"],
                                "filters": {"period": "last_30_days"}},
    "conversion_by_hour_country": {"metric": "conversion_rate", "group_by": ["country", "hour_of_day"]},
    "top_products_bavaria_week": {"metric": "orders", "group_by": ["product"], "top_k": 10,
                                  "filters": {"period": "this_week", "regions": ["Bavaria"]}},
    "wow_orders_by_region": {"metric": "orders", "group_by": ["region"],
                             "comparison": {"kind": "period_over_period", "shift": "week"}},
}
COLUMNS = ["event_time", "event_type", "session_id", "order_id", "product_id", "category", "quantity",
           "price", "currency", "country", "region"]


# ---------------------------------------------------------------------------------------------- pandas
def local_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds local wall-clock columns, converting each region's rows in its own zone."""
    zone = (frame["region"].map(region_timezones())
            .fillna(frame["country"].map({c.code: c.tz for c in COUNTRIES})).fillna("UTC"))
    local = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    for tz, index in frame.groupby(zone).groups.items():
        local.loc[index] = frame.loc[index, "event_time"].dt.tz_convert(tz).dt.tz_localize(None)
    return frame.assign(local_date=local.dt.normalize(), hour=local.dt.hour, weekday=local.dt.weekday)


def pandas_spike(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    p = local_time(ev[ev["event_type"] == "purchase"])
    window = (p["weekday"] == 4) & (p["hour"] >= 20)
    inside = p[window].groupby("region")["order_id"].nunique()
    outside = p[~window].groupby("region")["order_id"].nunique()
    out = pd.DataFrame({"window_count": inside, "baseline_count": outside}).fillna(0)
    h_in = h_out = 0
    last = as_of.date()
    for day in pd.date_range(ev["event_time"].min().date(), last).date:
        hours = 24 if day != last else as_of.hour + 1
        friday_night = max(0, hours - 20) if day.weekday() == 4 else 0
        h_in, h_out = h_in + friday_night, h_out + hours - friday_night
    rate_in, rate_out = out["window_count"] / h_in, out["baseline_count"] / h_out
    n, share = out["window_count"] + out["baseline_count"], h_in / (h_in + h_out)
    out = out.assign(lift=rate_in / rate_out,
                     z=(out["window_count"] - n * share) / np.sqrt(n * share * (1 - share)))
    out = out[out["window_count"] >= 10].reset_index().rename(columns={"index": "region"})
    return out.sort_values(["lift", "region"], ascending=[False, True]).reset_index(drop=True)


def pandas_revenue(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    p = ev[ev["event_type"] == "purchase"]
    p = local_time(p[p["event_time"] >= as_of.normalize() - pd.Timedelta(days=31)])
    start, end = (as_of.tz_localize(None).normalize() - pd.Timedelta(days=29),
                  as_of.tz_localize(None).normalize())
    p = p[(p["local_date"] >= start) & (p["local_date"] <= end)]
    rate = p["currency"].fillna(DEMO.currency).map(lambda code: DEMO.rate(code))
    amount = p["price"] * p["quantity"].fillna(1) * rate
    out = amount.groupby(p["category"]).sum().rename("revenue").reset_index()
    return out.sort_values(["revenue", "category"], ascending=[False, True]).reset_index(drop=True)


def pandas_conversion(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    e = local_time(ev)
    sessions = e.groupby(["country", "hour"])["session_id"].nunique()
    bought = e[e["event_type"] == "purchase"].groupby(["country", "hour"])["session_id"].nunique()
    out = (bought.reindex(sessions.index).fillna(0) / sessions).rename("conversion_rate").reset_index()
    out = out.rename(columns={"hour": "hour_of_day"})
    return out.sort_values(["conversion_rate", "country", "hour_of_day"],
                           ascending=[False, True, True]).reset_index(drop=True)


def pandas_top_products(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    today = as_of.tz_localize(None).normalize()
    monday = today - pd.Timedelta(days=today.weekday())
    p = ev[(ev["event_type"] == "purchase") & (ev["region"] == "Bavaria")]
    p = local_time(p[p["event_time"] >= as_of.normalize() - pd.Timedelta(days=9)])
    p = p[(p["local_date"] >= monday) & (p["local_date"] <= today)]
    out = p.groupby("product_id")["order_id"].nunique().rename("orders").reset_index()
    out = out.rename(columns={"product_id": "product"})
    return out.sort_values(["orders", "product"], ascending=[False, True]).head(10).reset_index(drop=True)


def pandas_wow(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    today = as_of.tz_localize(None).normalize()
    p = ev[ev["event_type"] == "purchase"]
    p = local_time(p[p["event_time"] >= as_of.normalize() - pd.Timedelta(days=15)])

    def orders(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
        rows = p[(p["local_date"] >= first) & (p["local_date"] <= last)]
        return rows.groupby("region")["order_id"].nunique()

    out = pd.DataFrame({"current": orders(today - pd.Timedelta(days=6), today),
                        "previous": orders(today - pd.Timedelta(days=13),
                                           today - pd.Timedelta(days=7))}).fillna(0)
    out = out.assign(change=out["current"] - out["previous"],
                     pct_change=lambda f: f["change"] / f["previous"].replace(0, np.nan))
    out = out.reset_index().rename(columns={"index": "region"})
    return out.sort_values(["change", "region"], ascending=[False, True]).reset_index(drop=True)


PANDAS: dict[str, Callable[[pd.DataFrame, pd.Timestamp], pd.DataFrame]] = {
    "friday_spike_by_region": pandas_spike,
    "revenue_by_category_30d": pandas_revenue,
    "conversion_by_hour_country": pandas_conversion,
    "top_products_bavaria_week": pandas_top_products,
    "wow_orders_by_region": pandas_wow,
}


# ---------------------------------------------------------------------------------------------- harness
def demo_store(settings: Settings, n_events: int) -> EventStore:
    """The benchmark's demo shop with `n_events` events, generated when missing."""
    from tools.events.simulate import DemoConfig, GroundTruthMissing, build_demo_shop, load_ground_truth

    store = EventStore(settings.data_dir / "bench" / "query" / str(n_events) / "store")
    try:
        load_ground_truth(store)
    except GroundTruthMissing:
        print(f"generating {n_events:,} demo events into {store.root} ...", flush=True)
        build_demo_shop(store, DemoConfig(n_events=n_events, days=365, end=END), progress=True)
    return store


def same(engine: pd.DataFrame, baseline: pd.DataFrame) -> bool:
    """Equal rows in the same order; numbers to floating-point precision."""
    columns = list(baseline.columns)
    left, right = engine[columns].reset_index(drop=True), baseline.reset_index(drop=True)
    if len(left) != len(right):
        return False
    for column in columns:
        if pd.api.types.is_numeric_dtype(right[column]):
            if not np.allclose(left[column].astype(float), right[column].astype(float), rtol=1e-9,
                               equal_nan=True):
                return False
        elif left[column].astype(str).tolist() != right[column].astype(str).tolist():
            return False
    return True


def p50_ms(run: Callable[[], object], runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        started = time.perf_counter()
        out = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="Demo events (default 10M).")
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per query and engine (p50 reported).")
    parser.add_argument("--parquet-runs", type=int, default=3,
                        help="Runs of the uncached DuckDB path (0: skip).")
    args = parser.parse_args(argv)

    store = demo_store(Settings(), args.events)
    started = time.perf_counter()
    report = query_cache(store).sync(progress=True)
    print(f"events: {args.events}")
    print(f"query_cache_sync: {time.perf_counter() - started:.1f} s ({report.files_added} files added)")

    started = time.perf_counter()
    events = pd.read_parquet([str(p) for p in store.event_files()], columns=COLUMNS)
    print(f"pandas_load: {time.perf_counter() - started:.1f} s ({len(events):,} rows)")
    as_of = events["event_time"].max()

    speedups, worst_ms, all_equal = [], 0.0, True
    for name, raw in SPECS.items():
        spec = QuerySpec.model_validate(raw)
        first = run_query(store, spec)  # cold: compiles the spec (later runs reuse the compiled SQL)
        duck_ms, result = p50_ms(lambda spec=spec: run_query(store, spec), args.runs)
        pandas_ms, baseline = p50_ms(lambda name=name: PANDAS[name](events, as_of), max(1, args.runs // 2))
        equal = same(result.frame, baseline)
        all_equal &= equal
        print(f"{name}_duckdb_first: {first.elapsed_ms:.0f} ms")
        print(f"{name}_duckdb_p50: {duck_ms:.0f} ms")
        if args.parquet_runs:
            parquet_ms, _ = p50_ms(lambda spec=spec: run_query(store, spec, cache=False), args.parquet_runs)
            print(f"{name}_duckdb_parquet_p50: {parquet_ms:.0f} ms")
        print(f"{name}_pandas_p50: {pandas_ms:.0f} ms")
        print(f"{name}_equal: {'yes' if equal else 'NO'}")
        print(f"{name}_speedup: {pandas_ms / duck_ms:.1f} x")
        speedups.append(pandas_ms / duck_ms)
        worst_ms = max(worst_ms, duck_ms)
    print(f"duckdb_p50_worst: {worst_ms:.0f} ms (target <= 500)")
    print(f"pandas_over_duckdb_min: {min(speedups):.1f} x (target >= 10)")
    if not all_equal:
        print("results differ from the pandas baseline", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
