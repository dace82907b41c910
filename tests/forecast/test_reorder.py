"""Reorder math on hand-checked cases, its input checks, and advice from the demo shop's forecast."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.forecast import ForecastInputError, reorder_from_forecast, reorder_suggestion

Z95 = 1.959963984540054


def _flat(daily: float, sigma: float, days: int = 21) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2026-11-16", periods=days), "y_hat": daily,
                         "hi-95": daily + Z95 * sigma})


def test_reorder_point_and_quantity_match_the_hand_computation():
    # 10 units/day, daily sd 5, lead time 4, review 3, 95% service (z = 1.6449):
    #   lead-time demand 40, sd sqrt(4 * 25) = 10  -> reorder point ceil(40 + 16.449) = 57
    #   7-day demand 70, sd sqrt(7 * 25) = 13.229 -> order-up-to ceil(70 + 21.760) = 92
    #   30 on hand <= 57 -> order 92 - 30 = 62
    advice = reorder_from_forecast(_flat(10, 5), stock_on_hand=30, lead_time_days=4, service_level=0.95,
                                   review_period_days=3)
    assert advice.lead_time_demand == pytest.approx(40)
    assert advice.lead_time_sigma == pytest.approx(10)
    assert advice.reorder_point == 57 and advice.order_up_to == 92
    assert advice.reorder_now and advice.order_quantity == 62
    assert advice.safety_stock == pytest.approx(17)
    assert advice.days_of_cover == pytest.approx(3.0)
    assert "order 92 - 30 = 62 units now" in " ".join(advice.reasoning)
    later = reorder_from_forecast(_flat(10, 5), stock_on_hand=60, lead_time_days=4, service_level=0.95,
                                  review_period_days=3)
    assert not later.reorder_now and later.order_quantity == 0
    assert later.summary().startswith("No reorder of the product for all regions yet: "
                                      "stock 60 is above the reorder point 57")


def test_slow_movers_get_at_least_the_poisson_quantile():
    # 0.2 units/day over 7 days: mean 1.4. Poisson(1.4): P(X <= 3) = 0.946, P(X <= 4) = 0.986 -> 4 at 95%,
    # where the too-narrow band (sd 0.05/day) alone would say ceil(1.4 + 1.645 * 0.13) = 2.
    advice = reorder_from_forecast(_flat(0.2, 0.05), stock_on_hand=0, lead_time_days=7, service_level=0.95,
                                   review_period_days=0)
    assert advice.reorder_point == 4
    assert "Poisson count with mean 1.4" in " ".join(advice.reasoning)


def test_bad_reorder_inputs_raise_clear_errors():
    daily = _flat(10, 5)
    with pytest.raises(ForecastInputError, match="stock_on_hand must be a number of units >= 0, got -1"):
        reorder_from_forecast(daily, -1, 7)
    with pytest.raises(ForecastInputError,
                       match="lead_time_days must be a whole number of days from 1 to 180, got 0"):
        reorder_from_forecast(daily, 5, 0)
    with pytest.raises(ForecastInputError, match="service_level must be a probability from 0.5 to 0.999"):
        reorder_from_forecast(daily, 5, 7, service_level=1.2)
    with pytest.raises(ForecastInputError,
                       match="The forecast covers 21 days; reorder advice needs .* = 28 days"):
        reorder_from_forecast(daily, 5, 21, review_period_days=7)


def test_reorder_suggestion_from_the_store_explains_its_numbers(each_shop):
    store, truth = each_shop
    promo = max(truth.promotions, key=lambda p: p.lift)
    advice = reorder_suggestion(store, promo.product_id, None, stock_on_hand=5, lead_time_days=7,
                                model_set="fast")
    assert advice.reorder_now and advice.order_quantity == advice.order_up_to - 5
    assert advice.reorder_point >= advice.lead_time_demand > 0
    assert advice.reasoning[0].startswith("The forecast uses")
    assert len(advice.frame) == 14 and advice.chart().kind == "forecast"
