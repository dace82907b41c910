"""`chronotope forecast` and `chronotope reorder` on the demo shop, and their error exits."""

from __future__ import annotations

from typer.testing import CliRunner

from chronotope.cli import app


def test_forecast_command_prints_summary_and_table(demo_shop):
    store, _ = demo_shop
    result = CliRunner().invoke(app, ["forecast", "--product", "P0232", "--region", "Bavaria", "--horizon",
                                      "7", "--model-set", "fast", "--store", str(store.root)])
    assert result.exit_code == 0, result.output
    assert (result.output.startswith("Expect ") and "80% band" in result.output
            and "DE/Bavaria" in result.output)


def test_forecast_command_exits_2_with_the_reason_on_bad_input(demo_shop):
    store, _ = demo_shop
    result = CliRunner().invoke(app, ["forecast", "--region", "Bavara", "--store", str(store.root)])
    assert result.exit_code == 2
    assert "Unknown region 'Bavara'" in result.output
    result = CliRunner().invoke(app, ["reorder", "--product", "P0232", "--stock", "5", "--service-level", "2",
                                      "--store", str(store.root)])
    assert result.exit_code == 2 and "service_level must be a probability" in result.output
