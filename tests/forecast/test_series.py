"""Series from the store: local days, zeros for days without sales, complete periods, EUR revenue, hierarchy
ids."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tools.events.profile import UnknownPlace
from tools.forecast.errors import ForecastInputError, NoSalesHistory, UnknownCategory, UnknownProduct
from tools.forecast.grain import get_frequency
from tools.forecast.scope import resolve_product, resolve_scope
from tools.forecast.series import load_series, promotion_days


def _series(store, freq="D", hierarchy=False, **scope):
    con = store.connect()
    profile = store.profile()
    scope_ = resolve_scope(con, profile, **scope)
    return load_series(con, scope_, get_frequency(freq), profile, hierarchy=hierarchy)


def test_daily_series_uses_local_days_fills_zeros_and_keeps_only_complete_days(tiny_store):
    series = _series(tiny_store, product="P1", region="Bavaria")
    got = series.history.set_index("ds")["y"]
    # Jan 1 is partial in Berlin (data start 01:10 local) and Jan 8 too (data end 00:55 local): both dropped.
    # The 23:30 UTC sale of Jan 2 is a Jan 3 sale in Bavaria; Jan 4, 6, 7 had none and are zeros.
    expected = pd.Series([2.0, 1.0, 0.0, 3.0, 0.0, 0.0],
                         index=pd.date_range("2026-01-02", "2026-01-07", name="ds"))
    pd.testing.assert_series_equal(got, expected, check_names=False, check_freq=False)
    assert list(series.history["unique_id"].unique()) == ["DE/Bavaria"]


def test_revenue_is_in_eur_with_gbp_converted(tiny_store):
    series = _series(tiny_store, metric="revenue", country="GB")
    assert series.currency == "EUR"
    assert series.history.set_index("ds").loc["2026-01-03", "y"] == pytest.approx(8.6 / 0.86)


def test_hierarchy_has_total_country_and_region_series_that_add_up(tiny_store):
    series = _series(tiny_store, hierarchy=True)
    assert (series.levels
            == {"total": ["Total"], "country": ["DE", "GB"], "region": ["DE/Bavaria", "GB/Greater London"]})
    wide = series.history.pivot(index="ds", columns="unique_id", values="y").fillna(0.0)
    pd.testing.assert_series_equal(wide["Total"], wide["DE"] + wide["GB"], check_names=False)
    assert series.parents == {"DE": "Total", "GB": "Total", "DE/Bavaria": "DE", "GB/Greater London": "GB"}


def test_store_shorter_than_one_week_is_a_clear_error_at_weekly_grain(tiny_store):
    with pytest.raises(NoSalesHistory, match="less than one complete week"):
        _series(tiny_store, freq="W")


def test_names_are_checked_with_choices_in_the_message(tiny_store):
    con, profile = tiny_store.connect(), tiny_store.profile()
    with pytest.raises(UnknownProduct, match="Did you mean: Garden Atlas"):
        resolve_scope(con, profile, product="Gardn Atlas")
    assert resolve_scope(con, profile, product="ATLAS").product_id == "P1"  # a word only its name has
    with pytest.raises(UnknownProduct, match="'garden' fits 2 products"):
        resolve_product(con, "garden")  # one product asked for (reorder): words of several are refused
    with pytest.raises(UnknownCategory, match="Valid categories: Shoes, Boots"):
        resolve_scope(con, profile, category="Shoez")
    with pytest.raises(UnknownPlace, match="Known regions: .*Bavaria"):
        resolve_scope(con, profile, region="Bavarria")
    with pytest.raises(UnknownPlace, match="is a region of DE, not a country"):
        resolve_scope(con, profile, country="Bavaria")
    with pytest.raises(ForecastInputError, match="either a product or a category"):
        resolve_scope(con, profile, product="P1", category="Books")
    with pytest.raises(ForecastInputError, match="Unknown metric 'orders'. Use one of: units, revenue"):
        resolve_scope(con, profile, metric="orders")
    assert resolve_scope(con, profile, product="garden atlas").product_id == "P1"


def test_no_sales_in_scope_is_a_clear_error(tiny_store):
    with pytest.raises(NoSalesHistory, match="No sales of Garden Almanac \\(P2\\) in Greater London"):
        _series(tiny_store, product="P2", region="Greater London")


def test_promotion_window_shows_lift_in_the_built_series_and_its_prices(each_shop):
    store, truth = each_shop
    promo = max(truth.promotions, key=lambda p: p.lift)
    series = _series(store, product=promo.product_id).history.set_index("ds")["y"]
    inside = series[str(promo.start):str(promo.end)].mean()
    around = pd.concat([series[promo.start - pd.Timedelta(days=42):promo.start - pd.Timedelta(days=1)],
                        series[promo.end + pd.Timedelta(days=1):promo.end + pd.Timedelta(days=28)]]).mean()
    assert inside / around == pytest.approx(promo.lift, rel=0.3)
    found = promotion_days(store.connect(), promo.product_id, store.profile())
    window = {promo.start + pd.Timedelta(days=k).to_pytimedelta()
              for k in range((promo.end - promo.start).days + 1)}
    # Only days with a sale can show a price: at a couple of sales a day, a few promotion days sell nothing.
    sold = {d.date() for d, y in series[str(promo.start):str(promo.end)].items() if y > 0}
    assert len(sold) >= 0.6 * len(window), sorted(sold)
    assert len(found & window) >= 0.9 * len(sold), (sorted(found & window), sorted(sold))
    assert not {d for d in found if d < promo.start - pd.Timedelta(days=1).to_pytimedelta()
                or d > promo.end + pd.Timedelta(days=1).to_pytimedelta()}
    assert isinstance(next(iter(found)), date)


def test_a_shop_elsewhere_gets_local_days_and_holidays_from_its_own_profile(tmp_path):
    import pyarrow as pa

    from tools.events.profile import Place, ShopProfile
    from tools.events.store import EventStore
    from tools.forecast.calendar import calendar_frame

    profile = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York"),
        Place("region", "Oregon", "US", "America/Los_Angeles", subdivision="OR"),
    ))
    store = EventStore(tmp_path / "store")
    store.save_profile(profile)
    times = ["2026-07-01T09:00", "2026-07-03T06:30", "2026-07-05T18:00", "2026-07-08T12:00"]  # UTC
    store.append_events(pa.table({
        "event_time": pa.array([pd.Timestamp(t, tz="UTC") for t in times], pa.timestamp("us", tz="UTC")),
        "event_type": ["view", "purchase", "purchase", "view"], "user_id": ["u"] * 4,
        "product_id": [None, "P1", "P1", None], "quantity": pa.array([None, 2, 1, None], pa.int32()),
        "price": [None, 5.0, 5.0, None], "currency": [None, "USD", "USD", None],
        "country": ["US"] * 4, "region": ["Oregon"] * 4,
    }))
    con = store.connect()
    scope = resolve_scope(con, profile, region="oregon")
    series = load_series(con, scope, get_frequency("D"), profile)
    by_day = series.history.set_index("ds")["y"]
    assert by_day[pd.Timestamp("2026-07-02")] == 2.0  # 06:30 UTC on the 3rd is 23:30 on the 2nd in Oregon
    assert series.place_weights == {"US/Oregon": {("US", "Oregon"): 1.0}}
    calendar = calendar_frame(series.place_weights, pd.date_range("2026-07-02", "2026-07-05"),
                              get_frequency("D"), profile)
    holiday = calendar.set_index("ds")["holiday"]
    assert holiday[pd.Timestamp("2026-07-03")] == 1.0 and holiday[pd.Timestamp("2026-07-02")] == 0.0
