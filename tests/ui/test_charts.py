"""Drawing chart specs: every kind the engines emit becomes a figure with the right marks; region bars get a
map; a spec missing a column fails with the columns it has. Figures are saved for a look."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from tests.ui.conftest import SCREENSHOTS
from tools.events.profile import Place, ShopProfile
from tools.events.simulate.profile import demo_profile
from tools.results import ChartSpec
from ui.charts import ChartError, draw_chart, draw_charts, table_frames, with_place_maps

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _save(figure, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    figure.savefig(SCREENSHOTS / f"chart-{name}.png")


def _bars() -> ChartSpec:
    frame = pd.DataFrame({"region": ["Lombardy", "Bavaria", "Wales"], "lift": [2.8, 2.4, 1.1]})
    return ChartSpec.from_frame("bar", "Friday-night orders vs baseline", frame, x="region", y="lift")


def test_bar_chart_draws_one_bar_per_group_largest_on_top() -> None:
    figure = draw_chart(_bars())
    ax = figure.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Wales", "Bavaria", "Lombardy"]
    _save(figure, "bar")


def test_region_bars_get_a_map_of_the_regions() -> None:
    specs = with_place_maps([_bars()], demo_profile())
    assert [s.kind for s in specs] == ["bar", "map"]
    points = {p["label"]: (p["lat"], p["lon"]) for p in specs[1].data}
    assert set(points) == {"Lombardy", "Bavaria", "Wales"}
    assert 45 < points["Lombardy"][0] < 47 and 8 < points["Lombardy"][1] < 11
    figure = draw_charts(specs)
    scatter = [c for c in figure.axes[1].collections if isinstance(c, PathCollection)]
    assert len(scatter[-1].get_offsets()) == 3  # the highlighted regions over the faint backdrop
    _save(figure, "bar-and-map")


def test_heatmap_is_weekday_rows_by_hour_columns() -> None:
    frame = pd.DataFrame(
        [{"hour_of_day": h, "day_of_week": d, "orders": (h + 1) * (i + 1)} for i, d in enumerate(WEEKDAYS)
         for h in range(24)]
    )
    spec = ChartSpec.from_frame("heatmap", "Orders by hour and weekday", frame.sample(frac=1, random_state=1),
                                x="hour_of_day", y="day_of_week", value="orders")
    figure = draw_chart(spec)
    image = next(a for a in figure.axes[0].get_children() if isinstance(a, AxesImage))
    assert image.get_array().shape == (7, 24)
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == [d[:3] for d in WEEKDAYS]
    assert image.get_array()[6, 23] == 24 * 7  # Sunday 23:00 is the largest cell
    _save(figure, "heatmap")


def test_forecast_draws_history_forecast_and_two_bands() -> None:
    days = pd.date_range("2026-10-01", periods=40, freq="D")
    history = pd.DataFrame({"unique_id": "Bavaria", "ds": days[:30], "y": range(30), "kind": "history"})
    ahead = pd.DataFrame({"unique_id": "Bavaria", "ds": days[30:], "y_hat": 30.0, "lo-80": 25.0,
                          "hi-80": 35.0, "lo-95": 20.0, "hi-95": 40.0, "kind": "forecast"})
    data = pd.concat([history, ahead], ignore_index=True)
    spec = ChartSpec.from_frame("forecast", "Forecast of headphones in Bavaria", data, x="ds", y="y",
                                color="unique_id", extra={"y_hat": "y_hat", "lo": "lo-80", "hi": "hi-80",
                                                          "lo_95": "lo-95", "hi_95": "hi-95",
                                                          "unit": "units"})
    # as the engine sends
    spec.data = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in spec.data]
    figure = draw_chart(spec)
    ax = figure.axes[0]
    assert len(ax.get_lines()) == 2  # history and forecast
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2  # 80% and 95% bands
    _save(figure, "forecast")


def test_series_draws_expected_band_and_flagged_spans() -> None:
    hours = pd.date_range("2026-11-10", periods=72, freq="h", tz="UTC")
    frame = pd.DataFrame({"ts": hours, "observed": [10.0] * 72, "expected": 10.0, "lo": 7.0, "hi": 13.0})
    frame.loc[40:44, "observed"] = 30.0
    spans = [{"start": hours[40].isoformat(), "end": hours[45].isoformat(), "label": "surge"}]
    spec = ChartSpec.from_frame("series", "Hourly orders, Bavaria", frame, x="ts", y="observed",
                                extra={"expected": "expected", "lo": "lo", "hi": "hi", "spans": spans})
    figure = draw_chart(spec)
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(labels) == ["expected", "expected range", "observed", "surge"]
    _save(figure, "series")


def test_fraud_map_places_orders_by_coordinates() -> None:
    data = pd.DataFrame({"lat": [48.1, 41.4], "lon": [11.6, 2.2], "value": [0.9, 0.5],
                         "label": ["C1 O1", "C2 O2"]})
    spec = ChartSpec.from_frame("map", "Orders of suspicious cases", data, value="value",
                                extra={"lat": "lat", "lon": "lon", "label": "label"})
    figure = draw_chart(spec)
    highlighted = [c for c in figure.axes[0].collections if isinstance(c, PathCollection)][-1]
    assert sorted(map(tuple, highlighted.get_offsets().tolist())) == [(2.2, 41.4), (11.6, 48.1)]
    _save(figure, "map")


def test_tables_go_to_the_grid_not_the_figure() -> None:
    table = ChartSpec.from_frame("table", "Passages", pd.DataFrame({"id": ["a"], "text": ["x"]}))
    assert draw_charts([table]) is None
    assert table_frames([table])[0].to_dict(orient="records") == [{"id": "a", "text": "x"}]
    with pytest.raises(ChartError, match="data grid"):
        draw_chart(table)


def test_missing_column_is_reported_with_the_columns_present() -> None:
    spec = ChartSpec(kind="bar", title="Broken", data=[{"region": "Lombardy", "lift": 2.8}], x="region",
                     y="orders")
    with pytest.raises(ChartError, match="y column 'orders'; the data has: region, lift"):
        draw_chart(spec)


def test_screenshot_dir_is_git_ignored() -> None:
    ignore = (Path(__file__).resolve().parents[2] / ".gitignore").read_text()
    assert "/tests/screenshots/" in ignore


def test_a_shop_elsewhere_gets_its_own_map() -> None:
    frame = pd.DataFrame({"city": ["Mumbai", "Perth", "Brooklyn"], "orders": [30, 12, 21]})
    spec = ChartSpec.from_frame("bar", "Orders by city", frame, x="city", y="orders")
    shops = ShopProfile(currency="USD", places=tuple(
        Place("city", name, country, "UTC", lat=lat, lon=lon)
        for name, country, lat, lon in [("Mumbai", "IN", 19.08, 72.88), ("Perth", "AU", -31.95, 115.86),
                                        ("Brooklyn", "US", 40.68, -73.94)]
    ))
    specs = with_place_maps([spec], shops)
    assert {p["label"] for p in specs[1].data} == {"Mumbai", "Perth", "Brooklyn"}
    ax = draw_charts(specs).axes[1]
    (south, north), (west, east) = ax.get_ylim(), ax.get_xlim()
    assert south < -31.95 and north > 40.68 and west < -73.94 and east > 115.86  # the world, not Europe

