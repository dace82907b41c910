"""How a shop's CSV export is written: separator, decimal mark, thousands separator, encoding, header.

Exports from European tools write `;` between fields and decimal commas ("12,50"), accounting tools
group thousands ("1.234,50"), old systems write Latin-1, and some files have no header at all. The dialect
says so, so that a file reads as its author meant it instead of being refused or misread.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.events.mapping import IngestError
from tools.events.sql import sql_string

ENCODINGS: tuple[str, ...] = ("utf-8", "utf-16", "latin-1")
DECIMALS: tuple[str, ...] = (".", ",")
THOUSANDS: tuple[str, ...] = (",", ".", " ", "'", "_")


@dataclass(frozen=True)
class CsvDialect:
    """Reading options of a CSV file (the defaults read a plain comma-separated UTF-8 file with a header)."""

    delimiter: str | None = None  # None: detected
    decimal: str = "."
    thousands: str | None = None
    encoding: str = "utf-8"
    header: bool = True
    column_names: tuple[str, ...] = ()  # the columns of a file without a header (default column0, ...)

    def __post_init__(self) -> None:
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise IngestError(f"The separator must be one character (e.g. ';'), got {self.delimiter!r}.")
        if self.decimal not in DECIMALS:
            raise IngestError(f"The decimal mark must be one of {' '.join(DECIMALS)}, got {self.decimal!r}.")
        if self.thousands is not None and (self.thousands not in THOUSANDS or self.thousands == self.decimal):
            raise IngestError(
                f"The thousands separator must be one of {' '.join(repr(t) for t in THOUSANDS)} and differ "
                f"from the decimal mark, got {self.thousands!r}."
            )
        if self.encoding.lower() not in ENCODINGS:
            raise IngestError(f"Unknown encoding {self.encoding!r}. Encodings: {', '.join(ENCODINGS)}.")
        if self.header and self.column_names:
            raise IngestError("Column names are for a file without a header; add --no-header or drop them.")

    def csv_only(self) -> bool:
        """Whether an option only a CSV file has is set (separator, encoding, no header)."""
        return (self.delimiter, self.encoding.lower(), self.header) != (None, "utf-8", True)

    def fingerprint(self) -> str:
        """Empty for the default dialect (so that ingest ids of plain files stay as they were), else the
        options."""
        return "" if self == CsvDialect() else repr(self)

    def number(self, text: str) -> str:
        """SQL turning the text expression `text` into a number's text in the plain form ("1234.50")."""
        if self.thousands:
            text = f"replace({text}, {sql_string(self.thousands)}, '')"
        if self.decimal != ".":
            text = f"replace({text}, {sql_string(self.decimal)}, '.')"
        return text

    def read_options(self) -> str:
        """DuckDB `read_csv` options for this dialect (every value read as text; bad lines kept aside)."""
        options = ["all_varchar = true", f"header = {str(self.header).lower()}", "store_rejects = true",
                   f"encoding = {sql_string(self.encoding.lower())}"]
        if self.delimiter is not None:
            options.append(f"delim = {sql_string(self.delimiter)}")
        if self.column_names:
            options.append("names = [" + ", ".join(sql_string(n) for n in self.column_names) + "]")
        return ", ".join(options)
