"""`chronotope forecast` (demand forecast with intervals) and `chronotope reorder` (reorder point and
quantity)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from chronotope.cli.app import app, fail, open_store
from chronotope.cli.data_ingest import (
    DECIMAL_OPTION,
    ENCODING_OPTION,
    SEP_OPTION,
    THOUSANDS_OPTION,
    TIME_FORMAT_OPTION,
)

if TYPE_CHECKING:
    from tools.events.dialect import CsvDialect
    from tools.forecast import ForecastResult

FileColumns = tuple[str | None, str | None, str | None, str | None]  # --time, --value, --id, --time-format


def _promotions(values: list[str]) -> list[tuple[date, date]]:
    windows = []
    for value in values:
        start, sep, end = value.partition(":")
        try:
            windows.append((date.fromisoformat(start), date.fromisoformat(end if sep else start)))
        except ValueError:
            raise typer.BadParameter("--promo takes START:END dates like 2026-11-20:2026-11-27, "
                                     f"got {value!r}.")
    return windows


def _forecast_file(file: Path, columns: FileColumns, dialect: CsvDialect, freq: str, horizon: int,
                   model_set: str, n_jobs: int) -> ForecastResult:
    """Forecast the series of a CSV file (`--file`); ForecastInputError names what to fix."""
    from tools.forecast import ForecastInputError, RunOptions, forecast_series, read_table, series_from_table

    time, value, series_id, time_format = columns
    if time is None or value is None:
        raise ForecastInputError("--file needs --time COLUMN and --value COLUMN (and --id COLUMN when the "
                                 "file holds several series).")
    table = series_from_table(read_table(file, dialect), time, value, freq, series_id, dialect, time_format)
    result = forecast_series(table.history, horizon, table.freq,
                             options=RunOptions(model_set=model_set, n_jobs=n_jobs),  # type: ignore[arg-type]
                             label=None if series_id else value)
    result.notes.extend(table.notes)
    return result


@app.command()
def forecast(
    product: str | None = typer.Option(
        None, help="Product id, name, or words of names (e.g. P0232; headlamps: every one, summed)."),
    category: str | None = typer.Option(None, help="Category instead of one product (e.g. Boots)."),
    region: str | None = typer.Option(None, help="Region name or ISO code (e.g. Bavaria, DE-BY)."),
    country: str | None = typer.Option(None, help="Country name or code (e.g. DE) instead of a region."),
    city: str | None = typer.Option(None, help="City (e.g. Lyon) instead of a region: its own sales."),
    horizon: int = typer.Option(28, help="Periods ahead (days for --freq D)."),
    freq: str = typer.Option("D", help="H (hourly), D (daily) or W (weekly)."),
    metric: str = typer.Option("units", help="units or revenue (EUR)."),
    hierarchy: bool = typer.Option(False, "--hierarchy",
                                   help="Also forecast every country/region below, reconciled."),
    promo: list[str] = typer.Option([], help="Planned promotion of the product, START:END (repeatable)."),
    model_set: str = typer.Option("accurate", help="accurate or fast."),
    n_jobs: int = typer.Option(1, help="Parallel processes for model fitting."),
    csv: Path | None = typer.Option(None, help="Also write the forecast frame to this CSV file."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
    file: Path | None = typer.Option(None, help="Forecast the series of this CSV file instead of the store."),
    time: str | None = typer.Option(None, help="With --file: the column of dates or times."),
    value: str | None = typer.Option(None, help="With --file: the column of values (summed per period)."),
    series_id: str | None = typer.Option(None, "--id", help="With --file: the column naming each series."),
    time_format: str | None = TIME_FORMAT_OPTION,
    sep: str | None = SEP_OPTION,
    decimal: str = DECIMAL_OPTION,
    thousands: str | None = THOUSANDS_OPTION,
    encoding: str = ENCODING_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the forecast as JSON instead of a table."),
) -> None:
    """Forecast demand (or any series of a CSV file) with 80%/95% intervals calibrated on a backtest; the
    model is chosen per series by backtest."""
    import json

    from rich.console import Console
    from rich.table import Table

    from tools.errors import EngineInputError
    from tools.forecast import forecast_demand

    try:
        if file is not None:
            if any(x is not None for x in (product, category, region, country, city)):
                raise typer.BadParameter("--file forecasts the file's series; drop --product, --category, "
                                         "--region, --country and --city.")
            from tools.events.dialect import CsvDialect

            dialect = CsvDialect(delimiter=sep, decimal=decimal, thousands=thousands, encoding=encoding)
            result = _forecast_file(file, (time, value, series_id, time_format), dialect, freq, horizon,
                                    model_set, n_jobs)
        else:
            result = forecast_demand(open_store(store), product=product, category=category,
                                     region=region, country=country, horizon=horizon, freq=freq,
                                     metric=metric, hierarchy=hierarchy,
                                     promotions=_promotions(promo), model_set=model_set,  # type: ignore[arg-type]
                                     n_jobs=n_jobs, city=city)
    except EngineInputError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=1))
        return
    console = Console()
    console.print(result.summary())
    table = Table("date", "forecast", "80% band", "95% band", title=result.top)
    timestamp = "%Y-%m-%d %H:%M" if result.freq.code == "H" else "%Y-%m-%d"
    for row in result.series().to_dict("records"):
        table.add_row(row["ds"].strftime(timestamp), f"{row['y_hat']:,.1f}",
                      f"{row['lo-80']:,.1f}-{row['hi-80']:,.1f}", f"{row['lo-95']:,.1f}-{row['hi-95']:,.1f}")
    console.print(table)
    others = len(result.reports) - 1
    if others:
        console.print(f"[dim]{others:,} more series (the table shows {result.top}): --csv FILE or --json for "
                      "all[/]")
    if csv is not None:
        from tools.events.spreadsheet import neutralise_frame

        # category and region names come from the shop's exports: written safe to open in a spreadsheet
        neutralise_frame(result.frame).to_csv(csv, index=False)
        console.print(f"[dim]wrote {len(result.frame):,} rows to {csv}[/]")


@app.command()
def reorder(
    product: str = typer.Option(..., help="Product id, name, or words only its name has."),
    stock: float = typer.Option(..., help="Units on hand now."),
    region: str | None = typer.Option(None, help="Region served from this stock (default: all)."),
    country: str | None = typer.Option(None, help="Country served from this stock, instead of a region."),
    lead_time: int = typer.Option(7, help="Days from order to delivery."),
    service_level: float = typer.Option(0.95,
                                        help="Chance of not running out before the delivery (0.5-0.999)."),
    review_period: int = typer.Option(7, help="Days between stock reviews."),
    store: Path | None = typer.Option(None, help="Event store directory (default: from settings)."),
) -> None:
    """Reorder point and order quantity from the demand forecast, with the reasoning."""
    from rich.console import Console

    from tools.errors import EngineInputError
    from tools.forecast import reorder_suggestion

    try:
        advice = reorder_suggestion(open_store(store), product, region, stock, lead_time, service_level,
                                    country=country, review_period_days=review_period)
    except EngineInputError as error:
        fail(error)
    console = Console()
    console.print(advice.summary())
    for line in advice.reasoning:
        console.print(f"  - {line}")
