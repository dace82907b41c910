"""forecast_demand on the demo shop and the second shop: planted trend breaks and promotions are picked up,
hierarchies add up."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from tools.events.profile import UnknownPlace
from tools.forecast import (
    ForecastInputError,
    HorizonTooLong,
    UnknownCategory,
    UnknownProduct,
    forecast_demand,
)


def test_forecast_level_after_a_trend_break_follows_the_new_level(each_shop):
    store, truth = each_shop
    for brk in truth.trend_breaks:
        result = forecast_demand(store, product=brk.product_id, region=brk.region, horizon=28,
                                 model_set="fast")
        history = result.history.set_index("ds")["y"]
        before = history[: str(brk.at - timedelta(days=1))].tail(180).mean()
        after = history[str(brk.at):].mean()
        level = result.series()["y_hat"].mean()
        assert abs(level - after) < abs(level - before), (brk, before, after, level)
        assert (level > before) == (brk.factor > 1)


@pytest.fixture(scope="module")
def promo_forecast(each_shop):
    """The big planted promotion and a 21-day forecast of its product."""
    store, truth = each_shop
    promo = max(truth.promotions, key=lambda p: p.lift)
    return promo, forecast_demand(store, product=promo.product_id, horizon=21, model_set="fast")


def test_planted_promotion_is_found_and_adjusting_for_it_wins_the_backtest(promo_forecast):
    promo, result = promo_forecast
    report = result.reports[result.top]
    assert report.model.endswith("+cal")
    lift = float(report.calendar.split("promotions x")[1].split(")")[0].split(",")[0])
    assert lift == pytest.approx(promo.lift, rel=0.25)
    assert "so they were used" in result.summary()
    # Calibrated on more backtest horizons than the selection's two (closed days are left out of them).
    assert all(check.points > 2 * 21 for check in report.intervals)


def test_planned_promotion_lifts_the_forecast_in_its_window(each_shop, promo_forecast):
    store, truth = each_shop
    promo, plain = promo_forecast
    start = truth.end + timedelta(days=8)
    planned = forecast_demand(store, product=promo.product_id, horizon=21, model_set="fast",
                              promotions=[(start, start + timedelta(days=6))])
    window = planned.series()["ds"].between(pd.Timestamp(start), pd.Timestamp(start + timedelta(days=6)))
    ratio = planned.series()["y_hat"][window.values].sum() / plain.series()["y_hat"][window.values].sum()
    assert ratio == pytest.approx(promo.lift, rel=0.3)
    assert "Includes the planned promotion" in planned.summary()


def test_reconciled_region_country_total_forecasts_add_up(each_shop):
    store, _ = each_shop
    profile = store.profile()
    country = max(profile.at_level("country"), key=lambda c: len(profile.children(c)))  # DE, US
    result = forecast_demand(store, country=country.country, horizon=14, hierarchy=True, model_set="fast")
    frame = result.frame.pivot(index="ds", columns="unique_id", values="y_hat")
    regions = [c for c in frame.columns if c.startswith(f"{country.country}/")]
    assert len(regions) == len(profile.children(country)) >= 8
    pd.testing.assert_series_equal(frame[country.country], frame[regions].sum(axis=1), check_names=False,
                                   rtol=1e-6)
    bands = result.frame[["lo-80", "hi-80", "lo-95", "hi-95"]]
    assert (bands.min(axis=1) >= 0).all() and (result.frame["lo-95"] <= result.frame["lo-80"] + 1e-9).all()
    assert (result.frame["hi-80"] <= result.frame["hi-95"] + 1e-9).all()
    assert "reconciled with MinTrace(wls_struct)" in result.summary()


def test_bad_inputs_get_clear_errors(each_shop):
    store, truth = each_shop
    with pytest.raises(UnknownProduct, match="Unknown product 'P9999'"):
        forecast_demand(store, product="P9999")
    with pytest.raises(UnknownCategory, match="Unknown category 'Gadgets'. Valid categories: ") as refused:
        forecast_demand(store, category="Gadgets")
    with store.connect() as con:  # the shop's own categories, every one of them
        sold = {c for (c,) in con.execute("SELECT DISTINCT category FROM products").fetchall()}
    assert set(str(refused.value).split("Valid categories: ")[1].rstrip(".").split(", ")) == sold
    with pytest.raises(UnknownPlace, match="Unknown region 'Atlantis'. Known regions:"):
        forecast_demand(store, region="Atlantis")
    with pytest.raises(ForecastInputError, match="horizon must be a whole number of days >= 1, got -3"):
        forecast_demand(store, horizon=-3)
    with pytest.raises(ForecastInputError, match="reaches past 366 days; ask for at most 52 weeks"):
        forecast_demand(store, horizon=60, freq="W")
    with pytest.raises(ForecastInputError, match="A hierarchy needs a country or all regions"):
        forecast_demand(store, region=truth.trend_breaks[0].region, hierarchy=True)
    with pytest.raises(ForecastInputError, match="Planned promotions apply to one product"):
        forecast_demand(store, category="Boots", promotions=[(date(2026, 12, 1), date(2026, 12, 5))])
    with pytest.raises(ForecastInputError, match="ends \\(2026-12-01\\) before it starts"):
        forecast_demand(store, product="P0001", promotions=[(date(2026, 12, 5), date(2026, 12, 1))])
    launch = max(truth.launches, key=lambda launch: launch.at)
    with pytest.raises(HorizonTooLong, match="ask for at most"):
        forecast_demand(store, product=launch.product_id, horizon=(truth.end - launch.at).days + 20)


def test_a_city_is_forecast_from_its_own_sales_and_named(each_shop):
    """"Forecast for Lyon" was forecast (and named) as its region."""
    store, _ = each_shop
    profile = store.profile()
    with store.connect() as con:  # the busiest city of a region that sells elsewhere too
        city_name, region_name, _, _ = con.execute(
            "WITH c AS (SELECT city, region, sum(coalesce(quantity, 1)) AS units FROM events "
            "WHERE event_type = 'purchase' AND city IS NOT NULL GROUP BY ALL) "
            "SELECT city, region, units, sum(units) OVER (PARTITION BY region) AS in_region FROM c "
            "QUALIFY units < 0.8 * in_region ORDER BY units DESC LIMIT 1").fetchone()
    city = profile.place(city_name, "city")
    result = forecast_demand(store, city=city.name, horizon=14, model_set="fast")
    region = forecast_demand(store, region=region_name, horizon=14, model_set="fast")
    assert f"in {city.name}" in result.summary() and result.top.endswith(f"/{city.name}")
    assert result.frame["y_hat"].sum() < region.frame["y_hat"].sum()  # the region sells more
    with pytest.raises(ForecastInputError, match="one of a region, a country or a city"):
        forecast_demand(store, region=region_name, city=city.name)
    with pytest.raises(ForecastInputError, match=f"{city.name} is a single city"):
        forecast_demand(store, city=city.name, hierarchy=True)
