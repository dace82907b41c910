"""ForecastResult: the long forecast frame, per-series backtest reports, a one-line summary and a chart
spec."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.forecast.calibration import IntervalCheck, spread_at
from tools.forecast.grain import Frequency
from tools.forecast.models import DISPLAY_NAMES
from tools.results import ChartSpec

Z80 = 1.2815515655446004  # standard normal quantile of 0.9: the 80% band is mean +- Z80 sigma
FRAME_COLUMNS = ["unique_id", "ds", "y_hat", "lo-80", "hi-80", "lo-95", "hi-95", "model"]
CHART_HISTORY = 3  # the chart shows this many horizons of history before the forecast


@dataclass
class SeriesReport:
    """How one series was forecast and how well that model did in the rolling-origin backtest."""

    unique_id: str
    model: str  # statsforecast alias of the chosen model ("+cal" when fit on calendar-adjusted history)
    kind: str  # "regular", "intermittent" or "fallback"
    n_history: int
    score: float | None = None  # chosen model's backtest error (`metric`)
    baseline_score: float | None = None  # seasonal naive's error on the same windows
    metric: str = "MASE"  # MASE for regular series, RMSSE for intermittent ones (models.error_measure)
    smape: float | None = None  # chosen model's backtest sMAPE in % (reported; the choice is by `metric`)
    baseline_smape: float | None = None  # seasonal naive's on the same windows
    calendar: str | None = None  # holiday / promotion lifts found, and whether adjusting for them helped
    notes: list[str] = field(default_factory=list)
    intervals: list[IntervalCheck] = field(default_factory=list)  # backtest coverage (empty: not calibrated)

    @property
    def ratio(self) -> float | None:
        """Backtest error of the chosen model / seasonal naive's (below 1: better than the baseline)."""
        if self.score is None or not self.baseline_score:
            return None
        return self.score / self.baseline_score

    @property
    def model_name(self) -> str:
        base, _, variant = self.model.partition("+")
        name = DISPLAY_NAMES.get(base, base)
        return f"{name} (holiday/promotion-adjusted)" if variant else name

    def sum_spread(self, level: int) -> tuple[float, ...]:
        """Per number n of periods summed: how much further the sum strays than the `level`% bands' sigmas
        summed as independent say (`IntervalCheck.sum_spread`; empty where the bands were not calibrated)."""
        return next((check.sum_spread for check in self.intervals if check.level == level), ())

    def coverage_text(self) -> str:
        """How the bands did on the backtest ("80% interval: covered 81% of 56 backtest points ...")."""
        if not self.intervals:
            return "Intervals are the model's own (not checked on a backtest)."
        parts = [f"{check.level}% interval: covered {check.calibrated:.0%}" for check in self.intervals]
        own = ", ".join(f"{check.model:.0%}" for check in self.intervals)
        return (f"{'; '.join(parts)} of {self.intervals[0].points} backtest points (calibrated; the model's "
                f"own bands: {own}).")


def _fmt(value: float, currency: str | None) -> str:
    return f"{currency} {value:,.0f}" if currency else f"{value:,.0f}"


@dataclass
class ForecastResult:
    """A demand forecast: `frame` (unique_id, ds, y_hat, lo-80, hi-80, lo-95, hi-95, model) and its
    history."""

    frame: pd.DataFrame
    history: pd.DataFrame  # unique_id, ds, y
    reports: dict[str, SeriesReport]
    freq: Frequency
    horizon: int
    top: str  # the series the summary speaks about
    label: str | None = None  # what is forecast, in words ("Trail Boots (P0232) in Bavaria"; default: top)
    unit: str | None = None  # "units", "revenue" or None (a series of plain values)
    currency: str | None = None
    reconciliation: str | None = None  # how the hierarchy was made to add up, if there is one
    notes: list[str] = field(default_factory=list)

    def series(self, unique_id: str | None = None) -> pd.DataFrame:
        """The forecast rows of one series (default: the top one)."""
        uid = self.top if unique_id is None else unique_id
        return self.frame[self.frame["unique_id"] == uid].sort_values("ds")

    def total(self, unique_id: str | None = None) -> tuple[float, float, float]:
        """Expected total over the horizon of one series (default: the top one) and its 80% interval.

        Per-period errors are normals whose sigma is read off the upper half of each period's 80% band (the
        lower half is cut at zero for small counts); summed as if independent, sqrt(sum sigma^2), then
        scaled by how much further the backtest's sums of errors strayed (`SeriesReport.sum_spread`).
        """
        rows = self.series(unique_id)
        mean = float(rows["y_hat"].sum())
        report = self.reports[self.top if unique_id is None else unique_id]
        spread = spread_at(report.sum_spread(80), len(rows))
        sigma = spread * math.sqrt(float(np.sum(((rows["hi-80"] - rows["y_hat"]) / Z80) ** 2)))
        return mean, max(0.0, mean - Z80 * sigma), mean + Z80 * sigma

    def summary(self) -> str:
        """One line: the expected total with its 80% interval, and how the model did against seasonal
        naive."""
        mean, lo, hi = self.total()
        start = self.series()["ds"].min()
        unit = {"revenue": " in revenue", None: ""}.get(self.unit, f" {self.unit}")
        amount = _fmt(mean, self.currency) + unit
        line = (f"Expect {amount} (80%: {_fmt(lo, self.currency)}-{_fmt(hi, self.currency)}) for "
                f"{self.label or self.top} over the next {self.freq.plural(self.horizon)} starting "
                f"{start:%Y-%m-%d}")
        report = self.reports[self.top]
        if report.ratio is not None:
            gain = 1 - report.ratio
            if report.model.startswith("SeasonalNaive") and "+" not in report.model:
                verdict = "seasonal naive was the best model in backtest"
            elif abs(gain) < 0.005:
                verdict = f"{report.model_name} matched seasonal naive in backtest"
            elif gain > 0:
                verdict = f"{report.model_name} beat seasonal naive by {gain:.0%} in backtest"
            else:
                verdict = f"{report.model_name} was {-gain:.0%} worse than seasonal naive in backtest"
            line += f"; {verdict} ({report.metric} {report.score:.2f}"
            if report.smape is not None and report.kind != "intermittent":  # 200% wherever one side is 0
                line += f"; sMAPE {report.smape:.0f}% vs seasonal naive's {report.baseline_smape:.0f}%"
            line += ")"
        extras = [report.coverage_text()] + report.notes + self.notes
        if report.calendar:
            extras = [report.calendar] + extras
        if self.reconciliation:
            extras.append(self.reconciliation)
        return line + "." + "".join(f" {note}" for note in extras)

    def as_dict(self) -> dict:
        """The forecast as plain JSON-ready values: summary, notes, each series' report and forecast rows."""
        timestamp = "%Y-%m-%dT%H:%M" if self.freq.code == "H" else "%Y-%m-%d"
        series = []
        for uid, report in self.reports.items():
            rows = self.series(uid).drop(columns=["unique_id", "model"])
            rows["ds"] = rows["ds"].dt.strftime(timestamp)
            series.append({
                "unique_id": uid, "model": report.model, "kind": report.kind, "history": report.n_history,
                "backtest": {"metric": report.metric, "score": report.score,
                             "seasonal_naive": report.baseline_score, "smape": report.smape,
                             "seasonal_naive_smape": report.baseline_smape},
                "intervals": [{"level": c.level, "backtest_coverage": c.calibrated, "model_coverage": c.model,
                               "points": c.points} for c in report.intervals],
                "total": dict(zip(("mean", "lo-80", "hi-80"), self.total(uid), strict=True)),
                "notes": report.notes, "forecast": rows.to_dict("records"),
            })
        return {"summary": self.summary(), "freq": self.freq.code, "horizon": self.horizon,
                "notes": self.notes, "series": series}

    def chart(self) -> ChartSpec:
        """History (last few horizons) and forecast with 80% and 95% bands, one colour per series."""
        keep = self.history.groupby("unique_id", group_keys=False).tail(CHART_HISTORY * self.horizon)
        past = keep.assign(kind="history")
        ahead = self.frame.drop(columns=["model"]).assign(kind="forecast")
        data = pd.concat([past, ahead], ignore_index=True).sort_values(["unique_id", "ds"])
        data["ds"] = data["ds"].dt.strftime("%Y-%m-%dT%H:%M" if self.freq.code == "H" else "%Y-%m-%d")
        data = data.astype(object).where(data.notna(), None)  # NaN is not JSON: gaps become null
        return ChartSpec.from_frame(
            "forecast", f"Forecast of {self.label or self.top}", data, x="ds", y="y", color="unique_id",
            extra={"y_hat": "y_hat", "lo": "lo-80", "hi": "hi-80", "lo_95": "lo-95", "hi_95": "hi-95",
                   "unit": self.unit, "currency": self.currency},
        )
