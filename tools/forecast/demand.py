"""forecast_demand: the store-facing forecaster the agent calls ("how many units of X will Bavaria need?")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from tools.events.store import EventStore
from tools.forecast.calendar import calendar_frame, fill_short_gaps
from tools.forecast.engine import CAL, forecast_series
from tools.forecast.errors import ForecastInputError
from tools.forecast.grain import get_frequency
from tools.forecast.hierarchy import METHOD, reconcile
from tools.forecast.models import ModelSet
from tools.forecast.result import ForecastResult
from tools.forecast.runner import Executor, RunOptions
from tools.forecast.scope import resolve_scope
from tools.forecast.series import load_series, promotion_days

MAX_HORIZON_DAYS = 366  # longer than a year ahead is planning, not forecasting


def _planned_days(promotions: Sequence[tuple[date, date]], product_id: str | None) -> set[date]:
    if not promotions:
        return set()
    if product_id is None:
        raise ForecastInputError("Planned promotions apply to one product; pass `product` with `promotions`.")
    days: set[date] = set()
    for window in promotions:
        try:
            start, end = (pd.Timestamp(x).date() for x in window)
        except (TypeError, ValueError):
            raise ForecastInputError(
                f"A promotion is a (start, end) pair of dates, got {window!r}."
            ) from None
        if end < start:
            raise ForecastInputError(f"Promotion ends ({end}) before it starts ({start}); swap the dates.")
        days.update(start + timedelta(days=k) for k in range((end - start).days + 1))
    return days


def forecast_demand(
    store: EventStore,
    product: str | None = None,
    category: str | None = None,
    region: str | None = None,
    country: str | None = None,
    horizon: int = 28,
    freq: str = "D",
    metric: str = "units",
    hierarchy: bool = False,
    promotions: Sequence[tuple[date, date]] = (),
    model_set: ModelSet = "accurate",
    n_jobs: int = 1,
    executor: Executor = "local",
    city: str | None = None,
) -> ForecastResult:
    """Forecast units or revenue of a product, a category or the shop, in a city, a region, a country or
    everywhere.

    `horizon` counts periods of `freq` ("H", "D", "W"). With `hierarchy`, every country and region under
    the scope is forecast too and the levels are reconciled to add up. `promotions` are planned (start, end)
    windows of the product; past promotions are found from its prices. Names are checked against the shop's
    profile and catalogue (UnknownProduct, UnknownCategory, UnknownPlace); short histories raise
    SeriesTooShort / HorizonTooLong.
    """
    grain = get_frequency(freq)
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ForecastInputError(f"horizon must be a whole number of {grain.word}s >= 1, got {horizon!r}.")
    if horizon * grain.step > timedelta(days=MAX_HORIZON_DAYS):
        raise ForecastInputError(
            f"A {grain.plural(horizon)} horizon reaches past {MAX_HORIZON_DAYS} days; ask for at most "
            f"{grain.plural(timedelta(days=MAX_HORIZON_DAYS) // grain.step)}."
        )
    profile = store.profile()
    con = store.connect()
    try:
        scope = resolve_scope(con, profile, product, category, region, country, metric, city)
        planned = _planned_days(promotions, scope.product_id)
        series = load_series(con, scope, grain, profile, hierarchy=hierarchy)
        promo = set()
        if scope.product_id is not None and grain.code != "W":
            promo = fill_short_gaps(promotion_days(con, scope.product_id, profile)) | planned
    finally:
        con.close()
    periods = pd.date_range(series.history["ds"].min(), series.last_period + horizon * grain.step,
                            freq=grain.pandas_freq)
    calendar = calendar_frame(series.place_weights, periods, grain, profile, promo)
    label = f"{scope.what} in {scope.where}"
    result = forecast_series(
        series.history, horizon, grain, calendar,
        RunOptions(model_set=model_set, n_jobs=n_jobs, executor=executor),
        top=scope.top_id, label=label, unit=metric, currency=series.currency,
    )
    result.notes.extend(series.notes)
    if hierarchy:
        result.frame = reconcile(result.frame, series.levels, series.parents)
        result.reconciliation = (f"Forecasts for {len(series.history['unique_id'].unique())} series (total, "
                                 f"countries, regions) were reconciled with {METHOD} so the levels add up.")
    if planned:
        future = {d for d in planned if d > series.last_period.date()}
        if future and not result.reports[scope.top_id].model.endswith(CAL):
            result.notes.append("The planned promotion is not in this forecast: "
                                "no past promotion of this product showed a lift the backtest could confirm.")
        elif future:
            result.notes.append(f"Includes the planned promotion ({min(future)} to {max(future)}).")
    return result
