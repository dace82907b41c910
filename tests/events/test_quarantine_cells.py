"""Quarantine files are safe to open in a spreadsheet (CSV injection) and read back to the exact originals."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from tools.events.dialect import CsvDialect
from tools.events.ingest import ingest_file
from tools.events.mapping import ColumnMapping
from tools.events.quarantine import read_quarantine
from tools.events.simulate.profile import demo_profile
from tools.events.spreadsheet import neutralise_cell, neutralise_frame, restore_cell
from tools.events.store import EventStore

FORMULAS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'=already quoted"]
RISKY_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("value", [*FORMULAS, "plain", "", "-3", "+1.5", "12,50", "O'Brien", "a=b"])
def test_a_cell_is_written_safe_and_reads_back_exactly(value: str) -> None:
    written = neutralise_cell(value)
    assert restore_cell(written) == value
    if value in FORMULAS:
        assert written.startswith("'")
    else:  # plain numbers and text keep their form: a spreadsheet still sees -3 as a number
        assert written == value


def test_frames_keep_numbers_and_quote_formula_text() -> None:
    frame = pd.DataFrame({"unique_id": ["=cmd|' /C calc'!A0", "Shoes"], "y": [-1.5, 2.0]})
    safe = neutralise_frame(frame)
    assert list(safe["unique_id"]) == ["'=cmd|' /C calc'!A0", "Shoes"]
    assert list(safe["y"]) == [-1.5, 2.0] and frame["unique_id"].iloc[0].startswith("=")


def test_quarantined_formulas_are_neutralised_in_the_file_and_read_back_as_the_export_had_them(
    tmp_path: Path,
) -> None:
    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile())
    good = ["2024-03-01 10:00:00", "view", "u1", "note"]
    in_file = [formula for formula in FORMULAS if "\r" not in formula]  # DuckDB's sniffer gives up on a CR
    rows = [good, *[["2024-03-01 10:00:00", formula, f"u{i}", formula] for i, formula in enumerate(in_file)],
            ["@SUM(A1)", "view", "u9", "-2"]]
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ts", "kind", "user", "=HYPERLINK(\"http://x\")"])
        writer.writerows(rows)
    mapping = ColumnMapping.from_flags(["event_time=ts", "event_type=kind", "user_id=user"],
                                       source_tz="Europe/Paris")
    report = ingest_file(store, path, mapping, dialect=CsvDialect(delimiter=","), max_rejected=1.0)
    assert report.rows_rejected == len(in_file) + 1

    with open(report.quarantine_path, newline="", encoding="utf-8") as handle:
        raw = list(csv.reader(handle))
    cells = [cell for row in raw for cell in row]
    formulas = [cell for cell in cells if cell.startswith(RISKY_START) and not re.fullmatch(r"-?\d+", cell)]
    assert not formulas, "a cell would run as a formula"
    assert "'=cmd|' /C calc'!A0" in cells and "'=HYPERLINK(\"http://x\")" in raw[0]

    back = read_quarantine(Path(report.quarantine_path))
    assert "=HYPERLINK(\"http://x\")" in back.columns
    assert sorted(back["kind"][back["kind"] != "view"]) == sorted(in_file)
    assert "-2" in set(back["=HYPERLINK(\"http://x\")"])  # a plain number is written as it was
    assert "@SUM(A1)" in set(back["ts"])
