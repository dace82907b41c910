"""What every engine returns: a frame, a one-line summary for the LLM, and a chart spec for the UI."""

from __future__ import annotations

import re
from typing import Any, Literal, Protocol, runtime_checkable

import pandas as pd
from pydantic import BaseModel, Field

# Summaries name the rows a question may be about: the first FULL_ROWS in full, the next ones up to NAMED_ROWS
# by name, and only then "N more in the table".
FULL_ROWS = 5
NAMED_ROWS = 20

# A product's price as the search summary and a customer's answer list it (tools/knowledge/products.py,
# agent/customer_answers.py): "Pack (P42, 158.99 EUR, 3 in stock)", "Pack (1.234,50 EUR)"
LISTED_PRICE = re.compile(r"\((?:(?P<id>\w+), )?(?P<price>\d{1,3}(?:[.,]?\d{3})*[.,]\d{2}) [A-Z]{3}[,)]")

ChartKind = Literal["bar", "heatmap", "forecast", "series", "map", "table"]


class ChartSpec(BaseModel):
    """A chart the UI can draw without knowing which engine made it.

    kinds and the fields they use:
    - bar: x (category), y (value), optional color
    - heatmap: x (e.g. hour), y (e.g. weekday), value
    - forecast: x (ds), y (history), y_hat, lo, hi (band), optional color (series id)
    - series: x (time), y (observed), expected, lo, hi (band); spans = flagged [start, end] intervals
    - map: lat, lon, value, label
    - table: columns shown as is
    """

    kind: ChartKind
    title: str
    data: list[dict[str, Any]] = Field(description="Records, one per point/bar/cell.")
    x: str | None = None
    y: str | None = None
    value: str | None = None
    color: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict,
                                  description="Kind-specific fields (band columns, spans).")

    @classmethod
    def from_frame(cls, kind: ChartKind, title: str, frame: pd.DataFrame, **fields: Any) -> ChartSpec:
        """Build a spec from a frame; timestamps become ISO strings so the spec is JSON-safe."""
        data = frame.copy()
        for column in data.columns:
            if pd.api.types.is_datetime64_any_dtype(data[column]):
                data[column] = data[column].astype(str)
        return cls(kind=kind, title=title, data=data.to_dict(orient="records"), **fields)


@runtime_checkable
class EngineResult(Protocol):
    """The contract every engine result meets (dataclass or pydantic model)."""

    frame: pd.DataFrame

    def summary(self) -> str:
        """One line an LLM can quote."""
        ...

    def chart(self) -> ChartSpec | None:
        """What the UI draws, or None."""
        ...
