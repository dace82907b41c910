"""The series bench/forecast.py holds out: seeded synthetic demand, the demo shop's, NAB taxi, UCI retail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tools.events.store import EventStore
from tools.forecast.calendar import calendar_frame, fill_short_gaps
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series, promotion_days

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def synthetic(n_series: int, days: int, seed: int = 0) -> pd.DataFrame:
    """Seeded daily demand: weekly shape, trend, a level shift in some, Poisson noise; 20% intermittent."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    ys = []
    for i in range(n_series):
        if i % 5 == 4:
            rate = np.full(days, rng.uniform(0.05, 0.6))
        else:
            week = 1 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * t / 7 + rng.uniform(0, 2 * np.pi))
            year = 1 + rng.uniform(0, 0.3) * np.cos(2 * np.pi * (t - rng.uniform(0, 365)) / 365.25)
            trend = np.exp(rng.normal(0, 0.0006) * t)
            shift = np.where(t >= rng.integers(days // 2, days - 60), rng.choice([0.6, 1.0, 1.0, 1.5]), 1.0)
            rate = rng.uniform(3, 80) * week * year * trend * shift
        ys.append(rng.poisson(rate))
    return pd.DataFrame({
        "unique_id": np.repeat([f"s{i:04d}" for i in range(n_series)], days),
        "ds": np.tile(pd.date_range("2024-01-01", periods=days, freq="D").values, n_series),
        "y": np.concatenate(ys).astype(float),
    })


def demo_frames(store: EventStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long history and calendar frames for the demo shop's series (ids prefixed by what they are)."""
    con, profile = store.connect(), store.profile()
    grain = get_frequency("D")
    scopes = [("all", {}, True)]
    scopes += [(f"cat:{c}", {"category": c}, False) for (c,) in
               con.execute("SELECT DISTINCT category FROM products ORDER BY 1").fetchall()]
    top = con.execute("SELECT product_id FROM events WHERE event_type = 'purchase' GROUP BY 1 "
                      "ORDER BY sum(coalesce(quantity, 1)) DESC LIMIT 20").fetchall()
    scopes += [(f"prod:{p}", {"product": p}, False) for (p,) in top]
    histories, calendars = [], []
    for prefix, scope_args, hierarchy in scopes:
        scope = resolve_scope(con, profile, **scope_args)
        series = load_series(con, scope, grain, profile, hierarchy=hierarchy)
        promo = fill_short_gaps(promotion_days(con, scope.product_id, profile)) if scope.product_id else set()
        periods = pd.date_range(series.history["ds"].min(), series.last_period, freq="D")
        calendar = calendar_frame(series.place_weights, periods, grain, profile, promo)
        for frame, bucket in ((series.history, histories), (calendar, calendars)):
            bucket.append(frame.assign(unique_id=prefix + "|" + frame["unique_id"]))
    return pd.concat(histories, ignore_index=True), pd.concat(calendars, ignore_index=True)


def nab_taxi() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "nab" / "nyc_taxi.csv", parse_dates=["timestamp"])
    return raw.rename(columns={"timestamp": "ds", "value": "y"}).assign(unique_id="nyc_taxi")


def online_retail(products: int = 0) -> pd.DataFrame:
    """Daily units sold to France and Germany in UCI Online Retail (cancellations left out), one series per
    country, or with `products` one per each country's that many most often ordered products."""
    frames = []
    for country in ("france", "germany"):
        raw = pd.read_csv(DATA / "online_retail_uci" / f"{country}.csv", parse_dates=["InvoiceDate"],
                          dtype={"StockCode": str})
        sold = raw[(raw["Quantity"] > 0) & ~raw["InvoiceNo"].astype(str).str.startswith("C")]
        # Days without any invoice (the shop shut on Saturdays, holidays) are zero demand, not missing.
        days = pd.date_range(sold["InvoiceDate"].min().normalize(), sold["InvoiceDate"].max().normalize())
        if products:
            top = sold.groupby("StockCode")["InvoiceNo"].nunique().nlargest(products).index
            keys = [(f"{country}:{code}", sold["StockCode"] == code) for code in top]
        else:
            keys = [(country, pd.Series(True, index=sold.index))]
        for uid, rows in keys:
            daily = sold[rows].groupby(sold["InvoiceDate"].dt.normalize())["Quantity"].sum()
            frames.append(pd.DataFrame({"unique_id": uid, "ds": days,
                                        "y": daily.reindex(days, fill_value=0).to_numpy(dtype=float)}))
    return pd.concat(frames, ignore_index=True)
