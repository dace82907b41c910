"""`chronotope query`: flags for the common cases, a spec file, JSON output and clear refusals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tests.query.synthetic import store_with, synthetic_events


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "store"
    store_with(root, synthetic_events(n=600, seed=4))
    return root


def _run(*args: str):
    return CliRunner().invoke(app, ["query", *args])


def test_spike_flags_rank_regions_by_friday_night_lift(store_dir):
    result = _run("--store", str(store_dir), "--metric", "orders", "--group-by", "region", "--spike",
                  "friday-night", "--min-support", "1", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["spec"]["comparison"] == {"kind": "spike", "days_of_week": ["friday"], "hour_from": 20,
                                             "hour_to": 24, "min_support": 1}
    lifts = [row["lift"] for row in payload["rows"]]
    assert lifts == sorted(lifts, reverse=True)
    assert "Friday-night orders" in payload["summary"]


def test_spec_file_runs_and_prints_summary_and_table(store_dir, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"metric": "revenue", "group_by": ["category"], "top_k": 2}))
    result = _run("--store", str(store_dir), "--spec", str(spec))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Revenue (EUR) by category")
    assert "category" in result.output


def test_custom_spike_window_and_compare_flags_build_the_spec():
    from chronotope.cli.query import spec_from_flags

    spec = spec_from_flags(metric="orders", group_by=["city"], spike="sat,sun:18-23", regions=["Bavaria"],
                           hours=None, min_support=5)
    assert spec["comparison"] == {"kind": "spike", "days_of_week": ["sat", "sun"], "hour_from": 18,
                                  "hour_to": 23, "min_support": 5}
    assert spec["filters"] == {"regions": ["Bavaria"]}
    assert spec_from_flags(metric="orders", compare="year")["comparison"] == {"kind": "period_over_period",
                                                                              "shift": "year"}


def test_bad_metric_exits_with_the_valid_choices(store_dir):
    result = _run("--store", str(store_dir), "--metric", "profit")
    assert result.exit_code == 2
    assert "'conversion_rate'" in result.output


def test_two_comparisons_at_once_are_refused(store_dir):
    result = _run("--store", str(store_dir), "--metric", "orders", "--spike", "weekend", "--share")
    assert result.exit_code != 0
    assert "at most one of --spike, --compare and --share" in result.output
