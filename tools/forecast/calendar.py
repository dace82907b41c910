"""Public holidays and promotions: when they fall, how much they move demand, and how to take them out.

The adjustment is multiplicative and model-agnostic. Each series gets, per period, a holiday intensity
(the volume-weighted share of its regions observing a public holiday that local day) and a promotion flag
(the product sold >= 10% under its regular price that day, or a planned promotion window). Lifts are
estimated against a baseline (a centred rolling level on ordinary days times the weekly profile):
    y_t ~ b_t * (1 + (L_h - 1) h_t) * (1 + (L_p - 1) p_t)
History divided by that multiplier is forecast by the ordinary models, and the forecast is multiplied back
on future holidays and planned promotions. The backtest decides, per series, whether the adjusted history
forecasts better than the raw one (`engine`); only then is it used. Weekly series are not adjusted: a
holiday moves a fraction of a week, below what a weekly model can resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from tools.events.profile import Place, ShopProfile
from tools.forecast.grain import Frequency

MIN_EVENT_DAYS = 3.0  # fewer (intensity-weighted) event days than this: the lift is not estimated
LIFT_RANGE = (0.2, 5.0)
MEANINGFUL = 0.05  # lifts within 5% of 1 are not worth a model variant


@dataclass(frozen=True)
class CalendarLifts:
    """Demand multipliers on a full holiday and on a promotion day (1.0 = no effect or not estimable)."""

    holiday: float = 1.0
    promotion: float = 1.0

    @property
    def meaningful(self) -> bool:
        return abs(self.holiday - 1) >= MEANINGFUL or abs(self.promotion - 1) >= MEANINGFUL

    def describe(self) -> str:
        parts = []
        if abs(self.holiday - 1) >= MEANINGFUL:
            parts.append(f"holidays x{self.holiday:.2f}")
        if abs(self.promotion - 1) >= MEANINGFUL:
            parts.append(f"promotions x{self.promotion:.2f}")
        return ", ".join(parts) or "no measurable holiday or promotion effect"


def fill_short_gaps(days: set[date], max_gap: int = 3) -> set[date]:
    """Close gaps of up to `max_gap - 1` days between promotion days (a promotion day without sales shows no
    price)."""
    ordered = sorted(days)
    filled = set(ordered)
    for a, b in pairwise(ordered):
        if 1 < (b - a).days <= max_gap:
            filled.update(a + timedelta(days=k) for k in range(1, (b - a).days))
    return filled


def calendar_frame(
    weights: dict[str, dict[tuple[str, str | None], float]],
    ds: pd.DatetimeIndex,
    freq: Frequency,
    profile: ShopProfile,
    promo_days: set[date] = frozenset(),
) -> pd.DataFrame | None:
    """unique_id, ds, holiday, promo for every series in `weights` over the periods `ds` (None for weekly).

    A series' holiday intensity is the volume share of its places observing a public holiday that day: each
    (country, region) weight takes the region's holidays from the profile, or its country's.
    """
    if freq.code == "W" or len(ds) == 0:
        return None
    days = pd.DatetimeIndex(ds.normalize().unique()).sort_values()
    first, last = days[0].date(), days[-1].date()
    on_holiday: dict[tuple[str, str | None], np.ndarray] = {}
    for series_weights in weights.values():
        for key in series_weights:
            place = _holiday_place(profile, *key)
            if key not in on_holiday and place is not None:
                observed = profile.holidays(place, first, last)
                on_holiday[key] = np.array([d.date() in observed for d in days], dtype=float)
    promo = np.array([d.date() in promo_days for d in days], dtype=float)
    frames = []
    for uid, series_weights in weights.items():
        intensity = np.zeros(len(days))
        for key, share in series_weights.items():
            if key in on_holiday:
                intensity += share * on_holiday[key]
        daily = pd.DataFrame({"day": days, "holiday": intensity, "promo": promo})
        rows = pd.DataFrame({"unique_id": uid, "ds": ds, "day": ds.normalize()})
        frames.append(rows.merge(daily, on="day", how="left").drop(columns="day"))
    return pd.concat(frames, ignore_index=True)


def _holiday_place(profile: ShopProfile, country: str, region: str | None) -> Place | None:
    """The profile's region of that name in that country, else the country (None: unknown to the profile)."""
    regions = [p for p in profile.find(region, "region") if p.country == country] if region else []
    if regions:
        return regions[0]
    countries = profile.find(country, "country")
    return countries[0] if countries else None


def estimate_lifts(y: np.ndarray, holiday: np.ndarray, promo: np.ndarray, freq: Frequency) -> CalendarLifts:
    """Holiday and promotion lifts of one series (values in time order, no gaps)."""
    season = freq.seasons[-1] if freq.code == "H" else freq.season  # hour-of-week for hourly data
    per_day = 24.0 if freq.code == "H" else 1.0
    y = np.asarray(y, dtype=float)
    clean = (holiday == 0) & (promo == 0)
    if clean.sum() < 2 * season or y[clean].mean() <= 0:
        return CalendarLifts()
    level = pd.Series(np.where(clean, y, np.nan)).rolling(4 * season + 1, center=True,
                                                          min_periods=season).mean()
    position = np.arange(len(y)) % season
    profile = pd.Series(y[clean]).groupby(position[clean]).mean() / y[clean].mean()
    baseline = level.to_numpy() * profile.reindex(position).to_numpy()

    ordinary = clean & np.isfinite(baseline)
    noise = float(np.mean((y[ordinary] - baseline[ordinary]) ** 2)) if ordinary.any() else 0.0

    def lift(x: np.ndarray, alone: np.ndarray) -> float:
        use = alone & (x > 0) & np.isfinite(baseline) & (baseline > 0)
        if x[use].sum() / per_day < MIN_EVENT_DAYS:
            return 1.0
        xb = x[use] * baseline[use]
        excess = float(np.sum(xb * (y[use] - baseline[use])) / np.sum(xb * xb))
        # Least-squares standard error of the excess, with the noise of ordinary days: sparse series show
        # "effects" of pure chance, and only a lift two standard errors from 1 is kept.
        if abs(excess) < 2 * np.sqrt(noise / np.sum(xb * xb)):
            return 1.0
        return float(np.clip(1.0 + excess, *LIFT_RANGE))

    return CalendarLifts(holiday=lift(holiday, promo == 0), promotion=lift(promo, holiday == 0))


def multiplier(lifts: CalendarLifts, holiday: np.ndarray, promo: np.ndarray) -> np.ndarray:
    """Per-period demand multiplier implied by the lifts."""
    m = (1 + (lifts.holiday - 1) * np.asarray(holiday)) * (1 + (lifts.promotion - 1) * np.asarray(promo))
    return np.clip(m, 0.05, None)
