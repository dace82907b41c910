"""Small CSV files a person writes for the shop's profile (places, rates): read with their columns checked."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path


def read_table_file(
    path: Path | str, columns: Sequence[str], what: str, error: type[Exception]
) -> list[dict[str, str]]:
    """The rows of the CSV at `path` (UTF-8, a BOM allowed) as dicts; `error` naming the file (`what`, e.g.
    "Places file") when it is missing, has no rows or lacks one of `columns`."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise error(f"{what} {path} not found.") from exc
    missing = [c for c in columns if rows and c not in rows[0]]
    if not rows or missing:
        raise error(f"{what} {path} needs the columns {', '.join(columns)}"
                    + (f"; it lacks {', '.join(missing)}." if missing else "; it has no rows."))
    return rows
