"""`forecast --file` on awkward exports: the separator, decimal mark, thousands separator and encoding of
`data ingest`, day-first and month-first dates, and errors that name the flag that reads the file."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tools.events.dialect import CsvDialect
from tools.forecast import read_table, series_from_table
from tools.forecast.errors import ForecastInputError

GERMAN = CsvDialect(delimiter=";", decimal=",", thousands=".", encoding="latin-1")


@pytest.fixture
def german_csv(tmp_path):
    """A till export: Latin-1, ';', '1.234,50', dd.mm.yyyy, two branches, several receipts a day, Sundays
    without rows. Branch Köln sells 1.000,25 on the first of each month and 2,5 on other open days."""
    lines = ["Datum;Filiale;Umsatz (EUR)"]
    for day in pd.date_range("2025-01-01", "2025-04-30"):
        if day.weekday() == 6:
            continue
        for branch in ("Köln", "München"):
            amount = "1.000,25" if day.day == 1 else "2,5"
            lines += [f"{day:%d.%m.%Y};{branch};{amount}", f"{day:%d.%m.%Y};{branch};0,5"]
    path = tmp_path / "umsatz.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


def test_a_german_export_reads_as_written_day_first_with_decimal_commas(german_csv):
    table = series_from_table(read_table(german_csv, GERMAN), "Datum", "Umsatz (EUR)", "D", "Filiale",
                              GERMAN)
    history = table.history.set_index(["unique_id", "ds"])["y"]
    assert set(table.history["unique_id"]) == {"Köln", "München"}
    assert history[("Köln", pd.Timestamp("2025-02-01"))] == pytest.approx(1000.75)  # Feb 1, not Jan 2
    assert history[("Köln", pd.Timestamp("2025-01-02"))] == pytest.approx(3.0)
    assert history[("Köln", pd.Timestamp("2025-01-05"))] == 0.0  # a Sunday without rows
    assert any("without rows counted as 0" in note for note in table.notes)


def test_the_cli_forecasts_a_german_export_with_the_ingest_flags_and_names_the_missing_one(german_csv):
    base = ["forecast", "--file", str(german_csv), "--time", "Datum", "--value", "Umsatz (EUR)", "--id",
            "Filiale", "--horizon", "7"]
    said = " ".join(CliRunner().invoke(app, base).output.split())
    assert "is not utf-8 text; pass its encoding, e.g. --encoding latin-1" in said
    said = " ".join(CliRunner().invoke(app, [*base, "--encoding", "latin-1"]).output.split())
    assert "holds '1.000,25', which is not a number: add \"--decimal , --thousands .\" to read it" in said
    result = CliRunner().invoke(app, [*base, "--encoding", "latin-1", "--decimal", ",", "--thousands", ".",
                                      "--json"])
    assert result.exit_code == 0, result.output
    series = {s["unique_id"]: s for s in json.loads(result.output)["series"]}
    assert set(series) == {"Köln", "München"}
    days = {pd.Timestamp(row["ds"]).day_name(): row["y_hat"] for row in series["Köln"]["forecast"]}
    assert len(days) == 7 and days.pop("Sunday") == 0.0  # the branch never opens on Sundays
    assert all(y > 0 for y in days.values())


@pytest.mark.parametrize(("dates", "first"), [
    (["12/02/2025", "13/02/2025"], pd.Timestamp("2025-02-12")),   # 13 can only be a day: day first
    (["02/12/2025", "02/13/2025"], pd.Timestamp("2025-02-12")),   # 13 can only be a day: month first
    (["01.02.2025", "02.02.2025"], pd.Timestamp("2025-02-01")),   # dotted dates are day first
    (["2025-02-01", "2025-02-02"], pd.Timestamp("2025-02-01")),   # ISO
])
def test_numeric_dates_are_read_in_the_order_the_column_shows(dates, first):
    table = pd.DataFrame({"t": dates, "v": ["1", "2"]})
    assert series_from_table(table, "t", "v").history["ds"].min() == first


def test_dates_that_never_say_their_order_are_refused_not_guessed():
    table = pd.DataFrame({"t": ["02/01/2025", "02/02/2025"], "v": ["1", "2"]})
    with pytest.raises(ForecastInputError, match="could be day first or month first; pass the format with "
                                                 "--time-format"):
        series_from_table(table, "t", "v")
    history = series_from_table(table, "t", "v", time_format="%m/%d/%Y").history
    assert list(history["ds"]) == [pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-02")]


def test_a_time_format_that_does_not_fit_and_epoch_seconds():
    table = pd.DataFrame({"t": ["2025-02-01", "2025-02-02"], "v": ["1", "2"]})
    with pytest.raises(ForecastInputError, match="does not match --time-format '%d.%m.%Y'"):
        series_from_table(table, "t", "v", time_format="%d.%m.%Y")
    epochs = pd.DataFrame({"t": ["1738368000", "1738454400"], "v": ["1", "2"]})  # 2025-02-01, 02-02 UTC
    history = series_from_table(epochs, "t", "v", time_format="epoch_s").history
    assert list(history["ds"]) == [pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-02")]


def test_a_file_with_an_unknown_separator_is_an_error_that_names_sep(tmp_path):
    path = tmp_path / "one_column.csv"
    path.write_text("Datum\n")
    with pytest.raises(ForecastInputError):
        read_table(path)
    odd = tmp_path / "odd.csv"
    odd.write_text("a|b\n2025-01-01|1\n2025-01-02|2\n")
    assert list(read_table(odd, CsvDialect(delimiter="|")).columns) == ["a", "b"]


@pytest.mark.parametrize(("days_apart", "freq", "said"), [
    (7, "D", "The rows are 7 days apart, more than one day: pass --freq W (the data's own grain)"),
    (1, "H", "The rows are 1 day apart, more than one hour: pass --freq D (the data's own grain)"),
    (3, "D", "The rows are 3 days apart, more than one day: pass --freq W"),
])
def test_rows_coarser_than_the_grain_name_the_grain_that_sums_them(days_apart, freq, said):
    days = pd.date_range("2025-01-06", periods=40, freq=f"{days_apart}D")
    table = pd.DataFrame({"t": days.strftime("%Y-%m-%d"), "v": "5"})
    with pytest.raises(ForecastInputError, match=re.escape(said)):
        series_from_table(table, "t", "v", freq)


@pytest.mark.parametrize("freq", ["D", "W"])
def test_monthly_totals_are_refused_with_what_to_pass_instead_not_the_grain_already_given(freq):
    """Monthly rows were told to "pass --freq W" even when W was the grain given."""
    table = pd.DataFrame({"month": pd.date_range("2022-01-01", periods=36, freq="MS").strftime("%Y-%m"),
                          "sales": "120"})
    with pytest.raises(ForecastInputError) as refused:
        series_from_table(table, "month", "sales", freq)
    assert "31 days apart, more than a week" in str(refused.value) and "--freq" not in str(refused.value)
    assert "Pass the daily or weekly rows they were summed from." in str(refused.value)
