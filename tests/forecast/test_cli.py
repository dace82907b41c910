"""`chronotope forecast` and `chronotope reorder` on the demo shop and the second shop, and their error
exits."""

from __future__ import annotations

from typer.testing import CliRunner

from chronotope.cli import app


def test_forecast_command_prints_summary_and_table(each_shop):
    store, truth = each_shop
    favourite = truth.regional_favourites[0]
    country = store.profile().place(favourite.region, "region").country
    result = CliRunner().invoke(app, ["forecast", "--product", favourite.product_id, "--region",
                                      favourite.region, "--horizon", "7", "--model-set", "fast",
                                      "--store", str(store.root)])
    assert result.exit_code == 0, result.output
    assert (result.output.startswith("Expect ") and "80% band" in result.output
            and f"{country}/{favourite.region}" in result.output)


def test_forecast_command_exits_2_with_the_reason_on_bad_input(each_shop):
    store, _ = each_shop
    result = CliRunner().invoke(app, ["forecast", "--region", "Atlantis", "--store", str(store.root)])
    assert result.exit_code == 2
    assert "Unknown region 'Atlantis'" in result.output
    result = CliRunner().invoke(app, ["reorder", "--product", "P0232", "--stock", "5", "--service-level", "2",
                                      "--store", str(store.root)])
    assert result.exit_code == 2 and "service_level must be a probability" in result.output
