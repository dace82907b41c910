"""What a demand forecast tells its reader on the demo shop: the bands' backtest coverage in the result,
the operator tool's output and the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chronotope.cli import app
from tools.agent_tools import ShopEngines
from tools.agent_tools.operator import ForecastDemandArgs
from tools.agent_tools.operator import forecast_demand as forecast_tool
from tools.forecast import forecast_demand
from tools.registry import Session


def test_the_result_reports_the_backtest_coverage_of_its_calibrated_bands(demo_shop):
    store, _ = demo_shop
    result = forecast_demand(store, category="Boots", horizon=14, model_set="fast")
    report = result.reports[result.top]
    assert [check.level for check in report.intervals] == [80, 95]
    check80 = report.intervals[0]
    assert check80.points >= 2 * 14 and 0.0 <= check80.calibrated <= 1.0
    assert f"80% interval: covered {check80.calibrated:.0%}" in result.summary()
    assert result.as_dict()["series"][0]["intervals"][0]["backtest_coverage"] == check80.calibrated


def test_the_operator_tool_and_the_cli_say_how_the_bands_did_on_the_backtest(demo_shop, tmp_path):
    store, _ = demo_shop
    engines = ShopEngines(store=store, embedder=None, anomaly_dir=tmp_path,  # type: ignore[arg-type]
                          open_knowledge_base=lambda: pytest.fail("no documents needed"),
                          open_recommender=lambda: pytest.fail("no recommender needed"))
    args = ForecastDemandArgs(category="Boots", horizon_days=14)
    output = forecast_tool.run(engines, args, Session("operator"))
    assert "80% interval: covered" in output.summary and "backtest points (calibrated" in output.summary
    assert "80% interval: covered" in output.as_message_text()
    cli = CliRunner().invoke(app, ["forecast", "--category", "Boots", "--horizon", "7", "--model-set", "fast",
                                   "--store", str(store.root)])
    assert cli.exit_code == 0, cli.output
    assert "80% interval: covered" in " ".join(cli.output.split())
