"""Reorder advice from a daily demand forecast: reorder point, order-up-to level and quantity, in words.

A periodic-review, order-up-to policy:
- demand over the lead time L has mean mu_L = sum of the daily forecasts over L days and standard deviation
  sigma_L = k_L sqrt(sum sigma_t^2), where each day's sigma_t is read off the upper half of its 95% band,
  sigma_t = (hi95_t - y_hat_t) / 1.96 (service levels sit in the upper tail, and the lower half of the band
  is cut at zero for small counts), and k_L is how much further the backtest's L-day sums of errors strayed
  than those sigmas summed as independent days say (`IntervalCheck.sum_spread`: errors persist from day to
  day, and their tails are heavier than normal);
- reorder point ROP = mu_L + z sigma_L with z the normal quantile of the service level, but never below the
  Poisson quantile of mu_L: unit sales are counts, at least as variable as a Poisson process, and for slow
  movers (a unit or two per lead time) the normal approximation would understock; safety stock = ROP - mu_L;
- the order must last until the next delivery after the next review, L + R days: order-up-to level S is the
  same quantile of demand over L + R days; when stock on hand <= ROP, order S - stock; otherwise nothing yet.
Quantities are rounded up to whole units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from scipy.stats import norm, poisson

from tools.events.store import EventStore
from tools.forecast.calibration import spread_at
from tools.forecast.errors import ForecastInputError
from tools.forecast.result import ForecastResult
from tools.results import ChartSpec

Z95 = 1.959963984540054
MAX_LEAD_TIME_DAYS = 180


@dataclass
class ReorderAdvice:
    """Reorder point and quantity for one product and place, with the reasoning that led to them."""

    product: str
    place: str
    stock_on_hand: float
    lead_time_days: int
    review_period_days: int
    service_level: float
    lead_time_demand: float  # expected units over the lead time
    lead_time_sigma: float
    safety_stock: float
    reorder_point: int
    order_up_to: int
    order_quantity: int
    reorder_now: bool
    days_of_cover: float | None  # how long the stock lasts at the forecast rate (None: no demand expected)
    frame: pd.DataFrame  # the daily forecast used: ds, y_hat, sigma, cumulative demand
    reasoning: list[str] = field(default_factory=list)
    forecast: ForecastResult | None = None

    def summary(self) -> str:
        """One line: reorder now or not, how much, and why."""
        if self.reorder_now:
            head = (f"Reorder {self.order_quantity:,} units of {self.product} for {self.place} now: stock "
                    f"{self.stock_on_hand:,.0f} is at or below the reorder point {self.reorder_point:,}")
        else:
            head = (f"No reorder of {self.product} for {self.place} yet: stock {self.stock_on_hand:,.0f} is "
                    f"above the reorder point {self.reorder_point:,}")
        return (f"{head} (expected demand over the {self.lead_time_days}-day lead time "
                f"{self.lead_time_demand:,.1f} units plus {self.safety_stock:,.1f} safety stock for a "
                f"{self.service_level:.0%} service level).")

    def chart(self) -> ChartSpec | None:
        """The forecast chart the advice rests on, if it came from the store."""
        return self.forecast.chart() if self.forecast is not None else None


def _check(stock_on_hand: float, lead_time_days: int, service_level: float, review_period_days: int) -> None:
    if (
        not isinstance(stock_on_hand, (int, float))
        or isinstance(stock_on_hand, bool)
        or not stock_on_hand >= 0
    ):
        raise ForecastInputError(f"stock_on_hand must be a number of units >= 0, got {stock_on_hand!r}.")
    if (
        not isinstance(lead_time_days, int)
        or isinstance(lead_time_days, bool)
        or not 1 <= lead_time_days <= MAX_LEAD_TIME_DAYS
    ):
        raise ForecastInputError("lead_time_days must be a whole number of days from 1 to "
                                 f"{MAX_LEAD_TIME_DAYS}, got {lead_time_days!r}.")
    if (
        not isinstance(review_period_days, int)
        or isinstance(review_period_days, bool)
        or not 0 <= review_period_days <= 90
    ):
        raise ForecastInputError("review_period_days must be a whole number of days from 0 to 90, "
                                 f"got {review_period_days!r}.")
    if not isinstance(service_level, (int, float)) or not 0.5 <= service_level <= 0.999:
        raise ForecastInputError("service_level must be a probability from 0.5 to 0.999 (e.g. 0.95), "
                                 f"got {service_level!r}.")


def reorder_from_forecast(
    daily: pd.DataFrame,
    stock_on_hand: float,
    lead_time_days: int,
    service_level: float = 0.95,
    review_period_days: int = 7,
    product: str = "the product",
    place: str = "all regions",
    sum_spread: tuple[float, ...] = (),
) -> ReorderAdvice:
    """Reorder advice from one series' daily forecast rows (ds, y_hat, hi-95), first day = tomorrow;
    `sum_spread` scales n days' summed sd (its n-th value; `SeriesReport.sum_spread(95)`, default none)."""
    _check(stock_on_hand, lead_time_days, service_level, review_period_days)
    days = lead_time_days + review_period_days
    if len(daily) < days:
        raise ForecastInputError(f"The forecast covers {len(daily)} days; reorder advice needs lead time + "
                                 f"review period = {days} days.")
    rows = daily.sort_values("ds").head(days)[["ds", "y_hat", "hi-95"]].reset_index(drop=True)
    rows["sigma"] = ((rows["hi-95"] - rows["y_hat"]) / Z95).clip(lower=0.0)
    rows["cumulative_demand"] = rows["y_hat"].cumsum()
    z = float(norm.ppf(service_level))

    def demand(n: int) -> tuple[float, float, int, bool]:
        """Mean, sd and service-level quantile of demand over the next n days; True if the Poisson floor set
        it."""
        head = rows.head(n)
        mean = float(head["y_hat"].sum())
        sd = spread_at(sum_spread, n) * math.sqrt(float((head["sigma"] ** 2).sum()))
        normal = math.ceil(mean + z * sd - 1e-9)
        floor = int(poisson.ppf(service_level, mean)) if mean > 0 else 0
        return mean, sd, max(normal, floor), floor > normal

    mu_l, sigma_l, reorder_point, floored = demand(lead_time_days)
    mu_s, sigma_s, order_up_to, _ = demand(days)
    safety = reorder_point - mu_l
    reorder_now = stock_on_hand <= reorder_point
    quantity = max(0, math.ceil(order_up_to - stock_on_hand - 1e-9)) if reorder_now else 0
    daily_rate = mu_s / days
    cover = stock_on_hand / daily_rate if daily_rate > 0 else None
    spread = spread_at(sum_spread, lead_time_days)
    widened = (f", x{spread:.2f} as the backtest's {lead_time_days}-day sums of errors strayed "
               f"{'further' if spread > 1 else 'less far'} than the days' bands say"
               if abs(spread - 1) > 0.005 else "")
    reasoning = [
        (f"Forecast demand over the {lead_time_days}-day lead time is {mu_l:,.1f} units "
         f"(standard deviation {sigma_l:,.1f}, from the forecast's 95% bands{widened})."),
        (f"A {service_level:.0%} service level needs z = {z:.2f}: reorder point = {mu_l:,.1f} + {z:.2f} x "
         f"{sigma_l:,.1f} -> {reorder_point:,} units (safety stock {safety:,.1f})." if not floored else
         f"The forecast's band ({sigma_l:,.1f} sd) is narrower than count noise allows, "
         f"so the reorder point is the {service_level:.0%} quantile of a Poisson count with mean "
         f"{mu_l:,.1f}: {reorder_point:,} units (safety stock {safety:,.1f})."),
        (f"Stock must last lead time + review period = {days} days: expected demand {mu_s:,.1f} units "
         f"(sd {sigma_s:,.1f}), so order up to the same {service_level:.0%} level: {order_up_to:,} units."),
    ]
    if reorder_now:
        reasoning.append(f"Stock on hand {stock_on_hand:,.0f} <= reorder point {reorder_point:,}: order "
                         f"{order_up_to:,} - {stock_on_hand:,.0f} = {quantity:,} units now.")
    else:
        reasoning.append(f"Stock on hand {stock_on_hand:,.0f} > reorder point {reorder_point:,}: "
                         "no order needed before the next review.")
    if cover is not None:
        reasoning.append(f"At the forecast rate of {daily_rate:,.2f} units a day, "
                         f"the stock lasts about {cover:,.0f} days.")
    return ReorderAdvice(product, place, float(stock_on_hand), lead_time_days, review_period_days,
                         service_level, mu_l, sigma_l, safety, reorder_point, order_up_to, quantity,
                         reorder_now, cover, rows, reasoning)


def reorder_suggestion(
    store: EventStore,
    product: str,
    region: str | None,
    stock_on_hand: float,
    lead_time_days: int = 7,
    service_level: float = 0.95,
    *,
    country: str | None = None,
    review_period_days: int = 7,
    model_set: str = "accurate",
) -> ReorderAdvice:
    """Reorder point and quantity for `product` in `region` (or `country`, or everywhere when both are
    None)."""
    from tools.forecast.demand import forecast_demand
    from tools.forecast.scope import resolve_product

    _check(stock_on_hand, lead_time_days, service_level, review_period_days)
    with store.connect() as con:  # stock is one product's: words that fit several are refused, not summed
        product = resolve_product(con, product)[0]
    forecast = forecast_demand(store, product=product, region=region, country=country,
                               horizon=lead_time_days + review_period_days, freq="D", metric="units",
                               model_set=model_set)
    what, _, where = (forecast.label or forecast.top).rpartition(" in ")
    report = forecast.reports[forecast.top]
    advice = reorder_from_forecast(forecast.series(), stock_on_hand, lead_time_days, service_level,
                                   review_period_days, product=what, place=where,
                                   sum_spread=report.sum_spread(95))
    advice.forecast = forecast
    model_line = f"The forecast uses {report.model_name}"
    if report.ratio is not None:
        model_line += f" (backtest {report.metric} {report.score:.2f}, {report.ratio:.2f}x seasonal naive)"
    advice.reasoning.insert(0, model_line + "." + "".join(f" {n}" for n in report.notes))
    return advice
