"""When shoppers come: an hourly session intensity per region in LOCAL time (DST-correct via each region's
zone).

The curve multiplies a diurnal shape, a weekly shape, a yearly shape (winter high, Christmas run-up, January
sales, Christmas Day low), national and regional public holidays (the `holidays` package), the shop's growth,
and the planted Friday-night spikes and volume anomalies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holidays_lib
import numpy as np
import pandas as pd

from tools.events.simulate.settings import Area

# Share of a day's sessions by local hour. The evening peak is kept moderate on purpose: a region's Friday
# 20:00-24:00 rate must stay near its own average unless a spike is planted there.
_DIURNAL = np.array([0.45, 0.25, 0.15, 0.10, 0.10, 0.15, 0.35, 0.60, 0.85, 1.00, 1.10, 1.20,
                     1.30, 1.25, 1.15, 1.10, 1.10, 1.15, 1.30, 1.25, 1.20, 1.10, 0.90, 0.60])
DIURNAL = _DIURNAL / _DIURNAL.mean()
# Monday..Sunday: weekends busier online, Friday evenings out.
WEEKLY = np.array([1.00, 0.97, 0.97, 1.00, 0.90, 1.02, 1.14])
WEEKLY = WEEKLY / WEEKLY.mean()
FRIDAY = 4
GROWTH_PER_YEAR = 0.22  # log-growth of traffic: the shop is growing
DAY = 86_400


def region_holidays(region: Area, first: date, last: date) -> set[date]:
    """Public holidays observed in `region` between `first` and `last` (inclusive)."""
    years = list(range(first.year, last.year + 1))
    table = holidays_lib.country_holidays(region.country, subdiv=region.subdivision, years=years)
    return {d for d in table if first <= d <= last}


@dataclass
class LocalClock:
    """For each region (rows) and UTC hour of the span (columns): local hour, weekday, date ordinal and UTC
    offset.

    Day-based plans (promotions, launches, trend breaks) count *local day indices*: days from the span's
    first day on each region's own calendar, so a promotion planted on day 300 runs from local midnight to
    local midnight in every region, as the engines count days. They run from -1 to `days` at the span's ends.
    """

    hour: np.ndarray  # int8 [R, H]
    weekday: np.ndarray  # int8 [R, H], Monday = 0
    day: np.ndarray  # int32 [R, H], local date as a proleptic ordinal
    offset: np.ndarray  # int32 [R, H], seconds the local clock is ahead of UTC
    start: date  # first UTC day of the span
    days: int

    @property
    def day_index(self) -> np.ndarray:
        """Local day index at the start of each UTC hour: [R, H]."""
        return self.day - np.int32(self.start.toordinal())

    def local_day(self, region: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Local day index of each epoch-second time in its region (exact to the second, also in zones a
        half hour off UTC)."""
        return (seconds + self._offset_at(region, seconds) - self.start_s) // DAY

    def utc_of(self, region: np.ndarray, wall: np.ndarray) -> np.ndarray:
        """Epoch seconds of local wall-clock times (seconds since 1970-01-01 00:00 on the region's clock)."""
        guess = wall - self._offset_at(region, wall)
        return wall - self._offset_at(region, guess)  # the offset in force then (DST)

    def midnight(self, region: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Epoch seconds at which each local day index begins in its region."""
        return self.utc_of(region, self.start_s + np.asarray(day) * DAY)

    @property
    def start_s(self) -> int:
        """The span's first UTC midnight in epoch seconds."""
        return (self.start - date(1970, 1, 1)).days * DAY

    def _offset_at(self, region: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        hour = np.clip((seconds - self.start_s) // 3600, 0, self.offset.shape[1] - 1)
        return self.offset[region, hour]


def local_clock(regions: tuple[Area, ...], start: date, days: int) -> LocalClock:
    """Local calendar of every region for each UTC hour from `start` 00:00 UTC for `days` days."""
    utc = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=days * 24, freq="h")
    hour = np.empty((len(regions), len(utc)), dtype=np.int8)
    weekday = np.empty_like(hour)
    day = np.empty((len(regions), len(utc)), dtype=np.int32)
    offset = np.empty_like(day)
    epoch_ordinal = date(1970, 1, 1).toordinal()
    for i, region in enumerate(regions):
        local = utc.tz_convert(region.tz)
        hour[i] = local.hour
        weekday[i] = local.dayofweek
        wall = local.tz_localize(None)
        offset[i] = (wall - utc.tz_localize(None)).total_seconds().astype(np.int32)
        day[i] = wall.normalize().values.astype("datetime64[D]").astype(np.int64) + epoch_ordinal
    return LocalClock(hour, weekday, day, offset, start, days)


def _yearly(ordinals: np.ndarray) -> np.ndarray:
    """Yearly shape by local date: winter above summer, Christmas run-up, Christmas Day low, January sales."""
    unique, inverse = np.unique(ordinals, return_inverse=True)
    factor = np.empty(len(unique))
    for k, ordinal in enumerate(unique):
        d = date.fromordinal(int(ordinal))
        doy = d.timetuple().tm_yday
        f = 1.0 + 0.12 * np.cos(2 * np.pi * (doy - 15) / 365.25)
        if d.month == 12 and d.day <= 23:
            f *= 1.0 + 0.35 * d.day / 23
        elif d.month == 12 and d.day in (24, 25, 26):
            f *= {24: 0.75, 25: 0.45, 26: 1.05}[d.day]
        elif d.month == 1 and 2 <= d.day <= 14:
            f *= 1.15
        factor[k] = f
    return factor[inverse].reshape(ordinals.shape)


@dataclass
class IntensityPlan:
    """The planted changes to traffic: Friday-night spikes and volume anomalies (UTC hour ranges)."""

    spike_regions: dict[int, float]  # region index -> multiplier on Friday 20:00-24:00 local
    anomalies: list[tuple[int, int, int, float]]  # (region index, first UTC hour, hours, factor)


def span_holidays(clock: LocalClock, regions: tuple[Area, ...]) -> dict[int, set[date]]:
    """Public holidays per region index, from the day before the span to the day after (local dates)."""
    first, last = clock.start - timedelta(days=1), clock.start + timedelta(days=clock.days)
    return {i: region_holidays(region, first, last) for i, region in enumerate(regions)}


def session_intensity(
    clock: LocalClock, shares: np.ndarray, plan: IntensityPlan, holidays_by_region: dict[int, set[date]]
) -> np.ndarray:
    """Relative session rate per region and UTC hour: [R, H]."""
    rate = shares[:, None] * DIURNAL[clock.hour] * WEEKLY[clock.weekday] * _yearly(clock.day)
    hours = np.arange(clock.hour.shape[1])
    rate *= np.exp(GROWTH_PER_YEAR * hours / (24 * 365.25))[None, :]
    for i in range(len(shares)):
        observed = holidays_by_region[i]
        ordinals = np.array([d.toordinal() for d in observed], dtype=np.int32)
        on_holiday = np.isin(clock.day[i], ordinals)
        # Christmas is already in the yearly shape; other public holidays are quieter days.
        not_christmas = ~np.isin(clock.day[i],
                                 [d.toordinal() for d in observed if d.month == 12 and d.day in (25, 26)])
        rate[i, on_holiday & not_christmas] *= 0.8
    for i, lift in plan.spike_regions.items():
        friday_night = (clock.weekday[i] == FRIDAY) & (clock.hour[i] >= 20)
        rate[i, friday_night] *= lift
    for i, first_hour, length, factor in plan.anomalies:
        rate[i, first_hour:first_hour + length] *= factor
    return rate


def systematic_counts(rate: np.ndarray, total: float, rng: np.random.Generator) -> np.ndarray:
    """Integer counts per cell summing to about `total`, with counts over any run of cells within +-1 of
    expected.

    Systematic sampling along each row keeps the planted ratios exact at small scale, where Poisson noise
    would blur a 2.5x spike in a region with a dozen Friday-night orders.
    """
    scaled = rate * (total / rate.sum())
    cum = np.cumsum(scaled, axis=1) + rng.random((rate.shape[0], 1))
    return np.diff(np.floor(cum).astype(np.int64), axis=1, prepend=0)
