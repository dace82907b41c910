"""Transcript exports as flat rows: CSV, JSONL and help-desk JSON (tickets with a comments array).

A help-desk ticket becomes one row per comment: the comment's fields (nested objects as dotted names,
`author.role`, `via.channel`) plus the ticket's own fields as `ticket.<name>` (`ticket.id`,
`ticket.requester.name`). Bodies written in HTML become plain text.
"""

from __future__ import annotations

import csv
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from finetune.data import TranscriptError

Row = dict[str, Any]

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "h1", "h2", "h3", "h4",
               "h5", "h6", "pre", "hr"}
_HIDDEN_TAGS = {"script", "style", "head", "title"}
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|&(?:[a-z]+|#\d+);")


class _TextExtractor(HTMLParser):
    """Collects an HTML body's visible text, with a line break at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(text: str) -> str:
    """Plain text of an HTML body (tags dropped, entities decoded, one line per block); plain text as is."""
    if not _LOOKS_LIKE_HTML.search(text):
        return text.strip()
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in unescape("".join(extractor.parts))
             .splitlines())
    return "\n".join(line for line in lines if line)


def _flatten(record: dict[str, Any], prefix: str = "") -> Row:
    """Nested objects as dotted names; lists (other than the comments) are left out."""
    flat: Row = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def _comment_arrays(record: dict[str, Any]) -> list[str]:
    return [key for key, value in record.items()
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value)]


def _ticket_rows(path: Path, tickets: list[dict[str, Any]], comments: str | None) -> list[Row]:
    """One row per comment of every ticket, with the ticket's fields as `ticket.<name>`."""
    rows: list[Row] = []
    for number, ticket in enumerate(tickets, 1):
        field_name = comments
        if field_name is None:
            arrays = _comment_arrays(ticket)
            if len(arrays) != 1:
                raise TranscriptError(
                    f"{path}: ticket {number} has {len(arrays)} arrays of objects "
                    f"({', '.join(arrays) or 'none'}); name the one holding the messages with "
                    '--map comments=FIELD (comments = "FIELD" under [columns] in a mapping file).'
                )
            field_name = arrays[0]
        if not isinstance(ticket.get(field_name), list):
            raise TranscriptError(
                f"{path}: ticket {number} has no array {field_name!r} (the comments column); its fields: "
                f"{', '.join(ticket)}."
            )
        ticket_fields = _flatten(ticket, "ticket.")
        rows += [{**ticket_fields, **_flatten(comment)} for comment in ticket[field_name]
                 if isinstance(comment, dict)]
    return rows


def _json_records(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file, or of a JSON file holding a list (bare or as an object's only list)."""
    if path.suffix == ".jsonl":
        records = []
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise TranscriptError(f"{path}:{line_no}: not valid JSON ({exc.msg}).") from exc
        return records
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    if isinstance(document, dict):
        arrays = _comment_arrays(document)
        if len(arrays) != 1:
            return [document]  # one ticket
        document = document[arrays[0]]  # {"tickets": [...]}
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise TranscriptError(f"{path}: expected a list of tickets (objects).")
    return document


def is_chat_jsonl(path: Path) -> bool:
    """Whether the file's first record is OpenAI-style chat (`{"messages": [...]}`)."""
    if path.suffix != ".jsonl":
        return False
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    return "messages" in json.loads(line)
                except json.JSONDecodeError:
                    return False
    return False


def read_rows(path: Path, comments: str | None = None) -> list[Row]:
    """The file's rows: CSV rows, JSONL objects, or one row per comment of help-desk tickets."""
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file.")
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    if path.suffix not in (".json", ".jsonl"):
        raise TranscriptError(f"{path}: unknown transcript format {path.suffix!r}; "
                              "use .csv, .jsonl or .json.")
    records = _json_records(path)
    if comments is not None or (records and _comment_arrays(records[0])):
        return _ticket_rows(path, records, comments)
    return [_flatten(record) for record in records]


def columns_of(rows: list[Row]) -> list[str]:
    """Every column name seen in `rows`, in first-seen order."""
    return list(dict.fromkeys(name for row in rows for name in row))
