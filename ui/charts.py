"""Draw the engines' `ChartSpec`s with matplotlib: bars, hour x weekday heatmaps, forecasts with bands,
series with expected bands and flagged spans, maps of places or orders, and tables as frames.

Everything renders offline (no tiles, no web fonts): the map's backdrop is the shop's own cities, drawn
faintly, so a handful of highlighted regions still reads as Europe.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from tools.results import ChartSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from tools.events.profile import ShopProfile

ACCENT = "#4f46e5"  # the apps' primary colour (indigo)
PALETTE = ("#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_BARS = 15
MAX_SERIES = 4
MAX_CHARTS = 3
_PLACES = ("region", "city", "country")


class ChartError(ValueError):
    """A chart spec that cannot be drawn (missing columns); the message names what is missing."""


def table_frames(specs: list[ChartSpec]) -> list[pd.DataFrame]:
    """The specs of kind `table`, as frames for a data grid."""
    return [pd.DataFrame(s.data) for s in specs if s.kind == "table" and s.data]


def with_place_maps(specs: list[ChartSpec], profile: ShopProfile) -> list[ChartSpec]:
    """The specs plus a map for each bar chart over regions, cities or countries (where the shop's profile
    puts them)."""
    out: list[ChartSpec] = []
    for spec in specs:
        out.append(spec)
        if spec.kind == "bar" and spec.x in _PLACES and spec.y and spec.data and not spec.color:
            mapped = place_map(spec, profile)
            if mapped is not None:
                out.append(mapped)
    return out


def place_map(spec: ChartSpec, profile: ShopProfile) -> ChartSpec | None:
    """A map spec of a bar chart whose categories are places, or None when none of them is known."""
    points_by_level = profile.points()
    where = dict(points_by_level[spec.x or ""])
    if spec.x == "country":  # countries are named by code or by name
        where |= {p.name: where[p.country] for p in profile.at_level("country") if p.country in where}
    points = [
        {"lat": where[row[spec.x]][0], "lon": where[row[spec.x]][1], "value": row[spec.y],
         "label": row[spec.x]}
        for row in spec.data
        if row.get(spec.x) in where and row.get(spec.y) is not None
    ]
    if not points:
        return None
    background = list(points_by_level["city"].values()) or list(points_by_level["region"].values())
    return ChartSpec(
        kind="map", title=f"Where: {spec.title}", data=points, value="value",
        extra={"lat": "lat", "lon": "lon", "label": "label", "value_label": spec.y,
               "background": [list(point) for point in background]},
    )


def draw_charts(specs: list[ChartSpec]) -> Figure | None:
    """One figure with a panel per drawable spec (tables are left to the data grid); None if none."""
    drawable = [s for s in specs if s.kind != "table" and s.data][:MAX_CHARTS]
    if not drawable:
        return None
    from matplotlib.figure import Figure

    heights = [4.6 if s.kind == "map" else 3.4 for s in drawable]
    figure = Figure(figsize=(8.2, sum(heights) + 0.3), dpi=100, layout="constrained")
    axes = figure.subplots(len(drawable), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, spec in zip(axes, drawable):
        _style(ax)
        DRAWERS[spec.kind](ax, spec)
        ax.set_title(textwrap.shorten(spec.title, 90, placeholder="..."), loc="left", fontsize=10.5,
                     fontweight="bold", color="#1f2937")
    return figure


def draw_chart(spec: ChartSpec) -> Figure:
    """One spec as its own figure (raises ChartError for a table or an empty spec)."""
    if spec.kind == "table":
        raise ChartError("Table specs are shown as a data grid, not drawn; use table_frames().")
    figure = draw_charts([spec])
    if figure is None:
        raise ChartError(f"Chart {spec.title!r} has no data to draw.")
    return figure


# ---------------------------------------------------------------------------------------------- drawers
def _column(spec: ChartSpec, frame: pd.DataFrame, name: str | None, role: str) -> str:
    if not name or name not in frame.columns:
        raise ChartError(
            f"{spec.kind} chart {spec.title!r} needs its {role} column {name!r}; the data has: "
            f"{', '.join(frame.columns)}."
        )
    return name


def _bar(ax: Axes, spec: ChartSpec) -> None:
    frame = pd.DataFrame(spec.data)
    x = _column(spec, frame, spec.x, "x")
    y = _column(spec, frame, spec.y, "y")
    if spec.color and spec.color in frame.columns:
        table = frame.pivot_table(index=x, columns=spec.color, values=y, aggfunc="sum", sort=False).fillna(0)
        table = table.iloc[:MAX_BARS]
        width = 0.8 / max(len(table.columns), 1)
        positions = range(len(table))
        for i, column in enumerate(table.columns[: len(PALETTE)]):
            ax.bar([p + i * width for p in positions], table[column], width=width, label=str(column),
                   color=PALETTE[i % len(PALETTE)])
        ax.set_xticks([p + width * (len(table.columns) - 1) / 2 for p in positions],
                      [_label(v) for v in table.index], rotation=30, ha="right", fontsize=8)
        ax.legend(fontsize=8, frameon=False)
        ax.set_ylabel(_words(y))
        return
    frame = frame.dropna(subset=[y]).head(MAX_BARS).iloc[::-1]  # first row on top
    labels = [_label(v) for v in frame[x]]
    bars = ax.barh(labels, frame[y].astype(float), color=ACCENT, height=0.62)
    ax.bar_label(bars, labels=[_number(v) for v in frame[y]], padding=3, fontsize=8, color="#374151")
    ax.set_xlabel(_words(y))
    ax.tick_params(axis="y", labelsize=8.5)
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.12)


def _heatmap(ax: Axes, spec: ChartSpec) -> None:
    frame = pd.DataFrame(spec.data)
    x = _column(spec, frame, spec.x, "x")
    y = _column(spec, frame, spec.y, "y")
    value = _column(spec, frame, spec.value, "value")
    grid = frame.pivot_table(index=y, columns=x, values=value, aggfunc="sum")
    rows = [d for d in WEEKDAYS if d in grid.index] or sorted(grid.index)
    grid = grid.reindex(index=rows + [r for r in grid.index if r not in rows]).sort_index(axis=1)
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="Purples", interpolation="nearest")
    ax.set_yticks(range(len(grid.index)), [_label(v)[:3] for v in grid.index], fontsize=8)
    ax.set_xticks(range(len(grid.columns)), [_label(v) for v in grid.columns], fontsize=7)
    ax.set_xlabel(_words(x))
    ax.grid(False)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.035, pad=0.02)
    bar.set_label(_words(value), fontsize=8)
    bar.ax.tick_params(labelsize=7)


def _forecast(ax: Axes, spec: ChartSpec) -> None:
    frame = pd.DataFrame(spec.data)
    x = _column(spec, frame, spec.x, "x")
    y = _column(spec, frame, spec.y, "history")
    y_hat = _column(spec, frame, spec.extra.get("y_hat", "y_hat"), "forecast")
    frame[x] = pd.to_datetime(frame[x])
    groups = frame.groupby(spec.color, sort=False) if spec.color in frame.columns else [(None, frame)]
    for i, (name, part) in enumerate(list(groups)[:MAX_SERIES]):
        colour = PALETTE[i % len(PALETTE)]
        part = part.sort_values(x)
        label = f"{name}" if name is not None else "history"
        history = part.dropna(subset=[y])
        ax.plot(history[x], history[y].astype(float), color=colour, linewidth=1.2, label=label)
        ahead = part.dropna(subset=[y_hat])
        for lo, hi, alpha in (("lo_95", "hi_95", 0.12), ("lo", "hi", 0.25)):
            lo_col, hi_col = spec.extra.get(lo), spec.extra.get(hi)
            if lo_col in part.columns and hi_col in part.columns and not ahead.empty:
                ax.fill_between(ahead[x], ahead[lo_col].astype(float), ahead[hi_col].astype(float),
                                color=colour, alpha=alpha, linewidth=0)
        if not ahead.empty:
            ax.plot(ahead[x], ahead[y_hat].astype(float), color=colour, linewidth=1.6, linestyle="--",
                    label=f"forecast{'' if name is None else f' ({name})'}")
    unit = spec.extra.get("unit")
    if unit:
        ax.set_ylabel(str(unit))
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    _date_axis(ax)


def _series(ax: Axes, spec: ChartSpec) -> None:
    frame = pd.DataFrame(spec.data)
    x = _column(spec, frame, spec.x, "x")
    y = _column(spec, frame, spec.y, "y")
    try:
        frame[x] = pd.to_datetime(frame[x])
        dated = True
    except (ValueError, TypeError):
        dated = False
    frame = frame.sort_values(x)
    lo, hi, expected = spec.extra.get("lo"), spec.extra.get("hi"), spec.extra.get("expected")
    if lo in frame.columns and hi in frame.columns:
        ax.fill_between(frame[x], frame[lo].astype(float), frame[hi].astype(float), color="#94a3b8",
                        alpha=0.3, linewidth=0, label="expected range")
    if expected in frame.columns:
        ax.plot(frame[x], frame[expected].astype(float), color="#64748b", linewidth=1, linestyle="--",
                label="expected")
    if spec.color and spec.color in frame.columns:
        for i, (name, part) in enumerate(list(frame.groupby(spec.color, sort=False))[:MAX_SERIES]):
            ax.plot(part[x], part[y].astype(float), color=PALETTE[i % len(PALETTE)], linewidth=1.3,
                    label=str(name))
    else:
        ax.plot(frame[x], frame[y].astype(float), color=ACCENT, linewidth=1.3, label=_words(y))
    for i, span in enumerate(spec.extra.get("spans") or []):
        start, end = pd.to_datetime(span["start"]), pd.to_datetime(span["end"])
        if dated and frame[x].dt.tz is None:
            start, end = start.tz_localize(None), end.tz_localize(None)
        elif dated:
            start, end = _aware(start, frame[x].dt.tz), _aware(end, frame[x].dt.tz)
        ax.axvspan(start, end, color="#ef4444", alpha=0.18, linewidth=0,
                   label=span.get("label", "flagged") if i == 0 else None)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    if dated:
        _date_axis(ax)


def _map(ax: Axes, spec: ChartSpec) -> None:
    frame = pd.DataFrame(spec.data)
    lat = _column(spec, frame, spec.extra.get("lat", "lat"), "lat")
    lon = _column(spec, frame, spec.extra.get("lon", "lon"), "lon")
    label = spec.extra.get("label", "label")
    background = spec.extra.get("background") or []
    ax.scatter([c[1] for c in background], [c[0] for c in background], s=9, color="#cbd5e1", zorder=1)
    frame = frame.dropna(subset=[lat, lon])
    values = (frame[spec.value].astype(float) if spec.value in frame.columns
              else pd.Series(1.0, index=frame.index))
    scale = values.abs().max() or 1.0
    sizes = 40 + 360 * (values.abs() / scale)
    points = ax.scatter(frame[lon], frame[lat], s=sizes, c=values, cmap="plasma", alpha=0.8,
                        edgecolors="white", linewidths=0.8, zorder=2)
    if label in frame.columns:
        for row in frame.assign(_v=values).nlargest(8, "_v").itertuples():
            ax.annotate(str(getattr(row, label)), (getattr(row, lon), getattr(row, lat)), fontsize=8.5,
                        xytext=(6, 4), textcoords="offset points", color="#111827", zorder=3)
    colour_bar = ax.figure.colorbar(points, ax=ax, fraction=0.035, pad=0.02)
    colour_bar.set_label(_words(spec.extra.get("value_label") or spec.value or "value"), fontsize=8)
    colour_bar.ax.tick_params(labelsize=7)
    lats = [float(v) for v in frame[lat]] + [c[0] for c in background]
    lons = [float(v) for v in frame[lon]] + [c[1] for c in background]
    if lats:
        pad_lat, pad_lon = max(1.5, 0.08 * (max(lats) - min(lats))), max(1.5, 0.08 * (max(lons) - min(lons)))
        ax.set_ylim(min(lats) - pad_lat, max(lats) + pad_lat)
        ax.set_xlim(min(lons) - pad_lon, max(lons) + pad_lon)
        # Degrees of longitude shrink with latitude: 1/cos(mid latitude) keeps the shapes right.
        ax.set_aspect(1 / max(0.2, math.cos(math.radians((min(lats) + max(lats)) / 2))), anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


DRAWERS: dict[str, Callable[[Axes, ChartSpec], None]] = {
    "bar": _bar, "heatmap": _heatmap, "forecast": _forecast, "series": _series, "map": _map,
}


# ---------------------------------------------------------------------------------------------- helpers
def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#d1d5db")
    ax.tick_params(colors="#4b5563", labelsize=8)
    ax.grid(True, color="#f1f5f9", linewidth=0.8)
    ax.set_axisbelow(True)


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _aware(moment: pd.Timestamp, tz: object) -> pd.Timestamp:
    return moment.tz_localize(tz) if moment.tzinfo is None else moment.tz_convert(tz)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _label(value: object) -> str:
    text = str(value)
    return text if len(text) <= 28 else text[:26] + "..."


def _number(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.2f}".rstrip("0").rstrip(".") if number != int(number) else f"{int(number)}"
