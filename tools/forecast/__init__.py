"""Demand forecaster: series from the event store, per-series model choice by backtest, intervals, reorder
advice.

    from tools.forecast import forecast_demand, reorder_suggestion
    result = forecast_demand(store, product="P0232", region="Bavaria", horizon=28)
    result.summary()   # "Expect 46 units (80%: 39-53) for ... ETS beat seasonal naive by 18% in backtest ..."
    result.frame       # unique_id, ds, y_hat, lo-80, hi-80, lo-95, hi-95, model
    advice = reorder_suggestion(store, "P0232", "Bavaria", stock_on_hand=40, lead_time_days=7)

Any series (not from the store): a long frame `unique_id, ds, y` (regular periods, zero-filled) goes to
`forecast_series(frame, horizon=12, freq="W")`; a table with its own column names goes through
`series_from_table(table, time="week", value="sales", freq="W", series_id=None)` first (or
`read_table("sales.csv")` for a CSV file).

Modules: `scope` (names checked), `series` (SQL, zero-filled, local periods), `table` (any table's columns
into periods), `calendar` (holidays and promotions), `models` (candidates), `engine` (backtest, choice,
forecast; `forecast_series` for any long frame, locally, with n_jobs, or on dask), `closed` (weekdays or
hours a series no longer sells in), `calibration` (bands fitted to backtest errors), `hierarchy`
(reconciliation), `result`, `reorder`, `demand`.
"""

from tools.forecast.demand import forecast_demand
from tools.forecast.engine import forecast_series
from tools.forecast.errors import (
    ForecastInputError,
    HorizonTooLong,
    NoSalesHistory,
    SeriesTooShort,
    UnknownCategory,
    UnknownProduct,
)
from tools.forecast.reorder import ReorderAdvice, reorder_from_forecast, reorder_suggestion
from tools.forecast.result import ForecastResult, SeriesReport
from tools.forecast.runner import RunOptions
from tools.forecast.table import TableSeries, read_table, series_from_table

__all__ = [
    "ForecastInputError", "ForecastResult", "HorizonTooLong", "NoSalesHistory", "ReorderAdvice", "RunOptions",
    "SeriesReport", "SeriesTooShort", "TableSeries", "UnknownCategory", "UnknownProduct", "forecast_demand",
    "forecast_series", "read_table", "reorder_from_forecast", "reorder_suggestion", "series_from_table",
]
