"""Writing values into SQL text (for the few expressions built as text rather than bound as parameters)."""

from __future__ import annotations


def sql_string(text: str) -> str:
    """`text` as a SQL string literal ('O''Brien')."""
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """`name` as a SQL identifier (double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'
