"""Regional volume anomalies on the planted shop: outages and surges found once, bad input refused."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.anomaly.records import END
from tests.anomaly.shop import PlantedShop
from tools.anomaly import AnomalyInputError, detect_volume_anomalies
from tools.events.profile import UnknownPlace


@pytest.fixture(scope="module")
def week(planted_shop: PlantedShop):
    return detect_volume_anomalies(planted_shop.store, since="7d")


def _overlapping(frame: pd.DataFrame, anomaly) -> pd.DataFrame:
    return frame[
        (frame["region"] == anomaly.region)
        & (frame["start"] < pd.Timestamp(anomaly.end))
        & (frame["end"] > pd.Timestamp(anomaly.start))
    ]


def test_outage_is_found_as_one_alert_with_its_hours(week, planted_shop):
    outage = next(a for a in planted_shop.truth.volume_anomalies if a.kind == "outage")
    found = _overlapping(week.frame, outage)
    assert len(found) == 1
    alert = found.iloc[0]
    assert alert["kind"] == "outage"
    assert alert["start"] == pd.Timestamp(outage.start) and alert["end"] == pd.Timestamp(outage.end)
    assert alert["observed"] < 0.1 * alert["expected"]


def test_surge_is_found_in_its_region(week, planted_shop):
    surge = next(a for a in planted_shop.truth.volume_anomalies if a.kind == "surge")
    found = _overlapping(week.frame, surge)
    assert list(found["kind"]) == ["surge"]
    assert found.iloc[0]["observed"] > 2 * found.iloc[0]["expected"]


def test_summary_and_chart_describe_the_worst_alert(week):
    assert "outage in Bavaria" in week.summary()
    chart = week.chart()
    assert chart.kind == "series" and chart.extra["expected"] == "expected"
    assert chart.extra["spans"] and {"start", "end", "label"} <= set(chart.extra["spans"][0])
    assert len(chart.data) == 7 * 24  # every hour touching the period, but the one still in progress


def test_region_filter_scores_only_that_region(planted_shop):
    report = detect_volume_anomalies(planted_shop.store, since="7d", region="DE-BY")
    assert list(report.series) == ["Bavaria"]
    assert set(report.frame["region"]) == {"Bavaria"}


def test_unknown_region_lists_the_valid_ones(planted_shop):
    with pytest.raises(UnknownPlace, match="Known regions: .*Bavaria"):
        detect_volume_anomalies(planted_shop.store, region="Atlantis")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "a week"}, "since must be a positive number followed by h, d or w"),
        ({"since": "0d"}, "since must be a positive number"),
        ({"measure": "clicks"}, "Unknown measure 'clicks'. Valid: sessions, view"),
        ({"category": "Spaceships"}, "Unknown category 'Spaceships'. Categories in the store: Books"),
        ({"as_of": END - pd.Timedelta(weeks=9)}, "Too little history"),
    ],
)
def test_bad_input_gives_a_clear_error(planted_shop, kwargs, message):
    with pytest.raises(AnomalyInputError, match=message):
        detect_volume_anomalies(planted_shop.store, **kwargs)


def test_empty_store_says_what_to_do(tmp_path):
    from tools.events.store import EventStore

    with pytest.raises(AnomalyInputError, match="no events yet"):
        detect_volume_anomalies(EventStore(tmp_path / "empty"))
