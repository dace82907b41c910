"""Every pattern the demo shop plants is really in the data: Friday spikes, promotions, trend breaks,
launches, fraud (and nothing that looks like it elsewhere), volume anomalies, the recommender's truth, the
complaint wave.

Measured with DuckDB/pandas on `DemoConfig.small()` (the session-scoped `demo_shop` fixture) and on the second
shop, Northwind (`second_shop`: US, India and Australia, in USD, read back from an awkward CSV).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from tests.events.conftest import local_dates, local_time
from tools.events.geo import haversine_km

# ------------------------------------------------------------------ time: the Friday spikes


def test_friday_night_purchases_spike_only_in_the_planted_regions(shop):
    store, truth, _, purchases, _, _ = shop
    profile = store.profile()
    hours = truth.n_events and ((truth.end - truth.start).days + 1) * 24
    fridays = sum(1 for k in range((truth.end - truth.start).days + 1)
                  if (truth.start + timedelta(k)).weekday() == 4)
    planted = {s.region for s in truth.friday_spikes}
    assert len(planted) >= 3 and len({profile.place(r, "region").country for r in planted}) >= 2
    assert len({profile.place(r, "region").tz for r in planted}) >= 2
    lifts = {}
    for region, group in purchases.groupby("region"):
        local = local_time(group["event_time"], region, profile)
        friday_night = (local.dt.dayofweek == 4) & (local.dt.hour >= 20)
        lifts[region] = (friday_night.sum() / (4 * fridays)) / (len(group) / hours)
    for region in planted:
        assert lifts[region] >= 2.0, (region, lifts[region])
    others = {r: v for r, v in lifts.items() if r not in planted}
    assert max(others.values()) < 1.6, max(others.items(), key=lambda kv: kv[1])


# ------------------------------------------------------------------ demand: promotions, trend breaks,
#                                                                    launches (all on local days)


def test_promotion_lifts_demand_on_its_local_days_and_cuts_the_price(shop):
    store, truth, _, purchases, _, _ = shop
    profile = store.profile()
    promo = max(truth.promotions, key=lambda p: p.start)
    assert promo.lift >= 2 and 7 <= (promo.end - promo.start).days + 1 <= 14
    rows = purchases[purchases["product_id"] == promo.product_id]
    daily = rows.groupby(local_dates(rows, profile))["quantity"].count()
    days = (lambda a, b: sum(daily.get(a + timedelta(k), 0) for k in range((b - a).days + 1))
            / ((b - a).days + 1))
    during = days(promo.start, promo.end)
    before = days(promo.start - timedelta(35), promo.start - timedelta(8))
    assert during >= 2.0 * before, (during, before)
    # Every ordinary sale, each currency at its own list price: on a promotion day in its place's local time,
    # and only then, it is cut. Planted fraud orders are priced at list price, promotion or not.
    fraud = {o for case in truth.fraud for o in case.order_ids}
    rows = rows[~rows["order_id"].isin(fraud)]
    in_promo = local_dates(rows, profile).between(promo.start, promo.end)
    assert in_promo.sum() >= 5, in_promo.sum()
    compared = set()
    for currency, paid in rows.groupby("currency"):
        cut, full = paid.loc[in_promo, "price"], paid.loc[~in_promo, "price"]
        if len(cut) and len(full):
            assert cut.max() < full.min(), (currency, cut.max(), full.min())
            compared.add(currency)
    assert profile.currency in compared, compared


def test_trend_break_steps_demand_from_its_local_date(shop):
    store, truth, con, _, _, _ = shop
    for brk in truth.trend_breaks:
        events = con.execute(
            "SELECT event_time, region FROM events WHERE product_id = ? AND region = ? "
            "AND event_type IN ('view', 'purchase')", [brk.product_id, brk.region]
        ).df()
        views = local_dates(events, store.profile()).value_counts().rename_axis("d").reset_index(name="n")
        before = views[(views.d < brk.at) & (views.d >= brk.at - timedelta(120))]["n"].sum() / 120
        after = views[views.d >= brk.at]["n"].sum() / (truth.end - brk.at).days
        ratio = after / before
        if brk.factor > 1:
            assert ratio >= 1.8, (brk, ratio)
        else:
            assert ratio <= 1 / 1.6, (brk, ratio)
    assert any(b.factor >= 1.8 for b in truth.trend_breaks)
    assert all(45 <= (truth.end - b.at).days <= 95 for b in truth.trend_breaks)


def test_launched_products_have_no_events_before_launch_in_local_time(shop):
    store, truth, con, _, _, _ = shop
    assert any(40 <= (truth.end - launch.at).days <= 80 for launch in truth.launches)
    for launch in truth.launches:
        events = con.execute("SELECT event_time, region FROM events WHERE product_id = ?",
                             [launch.product_id]).df()
        assert len(events) > 0 and local_dates(events, store.profile()).min() >= launch.at


def test_catalogue_dates_a_launch_at_the_first_local_midnight_of_its_day(demo):
    store, truth, con, _, _, _ = demo
    zones = {place.tz for place in store.profile().at_level("region")}
    for launch in truth.launches:
        launched_at, first = con.execute(
            "SELECT launched_at, (SELECT min(event_time) FROM events WHERE product_id = p.product_id) "
            "FROM products p WHERE product_id = ?", [launch.product_id]).fetchone()
        midnights = [pd.Timestamp(launch.at, tz=zone) for zone in zones]
        assert launched_at == min(midnights) <= first, (launch, launched_at, first)


# ------------------------------------------------------------------ fraud


def _case_ids(truth, kind: str, attr: str) -> set[str]:
    return {i for c in truth.fraud if c.kind == kind for i in getattr(c, attr)}


def test_impossible_travel_purchases_are_over_1000_km_apart_within_an_hour(shop):
    _, truth, _, purchases, _, _ = shop
    cases = [c for c in truth.fraud if c.kind == "impossible_travel"]
    assert len(cases) >= 4
    for case in cases:
        rows = purchases[purchases["order_id"].isin(case.order_ids)].sort_values("event_time")
        first, last = rows.iloc[0], rows.iloc[-1]
        assert last["event_time"] - first["event_time"] < pd.Timedelta(hours=1)
        assert haversine_km(first["lat"], first["lon"], last["lat"], last["lon"]) > 1000


def test_card_testing_bursts_are_many_tiny_orders_from_one_device_in_an_hour(shop):
    store, truth, _, _, orders, _ = shop
    profile = store.profile()
    cases = [c for c in truth.fraud if c.kind == "card_testing"]
    assert len(cases) >= 3
    for case in cases:
        burst = orders[orders["device_id"] == case.device_ids[0]]
        assert set(burst["order_id"]) == set(case.order_ids)
        assert 15 <= len(burst) <= 40
        # under 5 of the shop's currency or of the buyer's, whichever is more
        days = burst["placed_at"].dt.date
        ceiling = [5 * max(1.0, 1 / profile.rate(c, d)) for c, d in zip(burst["currency"], days)]
        assert (burst["amount"] < ceiling).all()
        assert burst["placed_at"].max() - burst["placed_at"].min() < pd.Timedelta(hours=1)


def test_device_rings_share_one_device_among_five_to_eight_accounts(shop):
    _, truth, _, _, orders, _ = shop
    cases = [c for c in truth.fraud if c.kind == "device_ring"]
    assert len(cases) >= 3
    for case in cases:
        ring = orders[orders["device_id"] == case.device_ids[0]]
        assert 5 <= ring["user_id"].nunique() <= 8
        assert set(ring["user_id"]) == set(case.user_ids)


def test_ship_far_orders_go_over_1000_km_from_home_to_another_country(shop):
    _, truth, _, _, orders, users = shop
    cases = [c for c in truth.fraud if c.kind == "ship_far"]
    assert len(cases) >= 5
    merged = orders.merge(users, on="user_id")
    for case in cases:
        row = merged[merged["order_id"] == case.order_ids[0]].iloc[0]
        assert row["shipping_country"] != row["home_country"]
        assert haversine_km(row["home_lat"], row["home_lon"], row["shipping_lat"], row["shipping_lon"]) > 1000


def test_ordinary_shoppers_never_look_like_fraud(shop):
    """Precision: outside the planted cases nobody travels, bursts, shares devices or ships far."""
    _, truth, _, purchases, orders, users = shop
    # impossible travel: consecutive purchases of a user > 1000 km apart within an hour
    p = purchases.sort_values(["user_id", "event_time"])
    same_user = p["user_id"].values[1:] == p["user_id"].values[:-1]
    quick = (p["event_time"].values[1:] - p["event_time"].values[:-1]) < np.timedelta64(1, "h")
    far = (haversine_km(p["lat"].values[1:], p["lon"].values[1:], p["lat"].values[:-1], p["lon"].values[:-1])
           > 1000)
    travellers = set(p["user_id"].values[1:][same_user & quick & far])
    assert travellers == _case_ids(truth, "impossible_travel", "user_ids")
    # card testing: a device with >= 10 orders in any hour
    o = orders.sort_values(["device_id", "placed_at"])
    dev = o["device_id"].values
    tenth = ((dev[9:] == dev[:-9])
             & ((o["placed_at"].values[9:] - o["placed_at"].values[:-9]) < np.timedelta64(1, "h")))
    assert set(dev[9:][tenth]) == _case_ids(truth, "card_testing", "device_ids")
    # rings: a device ordering for more than two accounts
    accounts = orders.groupby("device_id")["user_id"].nunique()
    assert set(accounts[accounts > 2].index) == _case_ids(truth, "device_ring", "device_ids")
    # ship-far: shipped > 1000 km from the buyer's home
    merged = orders.merge(users, on="user_id")
    distance = haversine_km(merged["home_lat"], merged["home_lon"], merged["shipping_lat"],
                            merged["shipping_lon"])
    assert set(merged.loc[distance > 1000, "order_id"]) == _case_ids(truth, "ship_far", "order_ids")


# ------------------------------------------------------------------ volume anomalies


def test_outage_and_surge_change_regional_volume(shop):
    _, truth, con, _, _, _ = shop
    kinds = {a.kind for a in truth.volume_anomalies}
    assert kinds == {"outage", "surge"}
    for anomaly in truth.volume_anomalies:
        hours = (anomaly.end - anomaly.start).total_seconds() / 3600
        assert (10 <= hours <= 13) if anomaly.kind == "outage" else (4 <= hours <= 8)
        assert anomaly.start.date() not in truth.holidays
        during = con.execute("SELECT count(*) FROM events WHERE region = ? AND event_time >= ? "
                             "AND event_time < ?",
                         [anomaly.region, anomaly.start, anomaly.end]).fetchone()[0]
        # the same hours on the four previous weeks' same weekday
        normal = np.mean([
            con.execute("SELECT count(*) FROM events WHERE region = ? AND event_time >= ? AND event_time < ?",
                    [anomaly.region, anomaly.start - timedelta(7 * k),
                     anomaly.end - timedelta(7 * k)]).fetchone()[0]
            for k in range(1, 5)
        ])
        ratio = during / normal
        if anomaly.kind == "outage":
            assert ratio < 0.1, ratio
        else:
            assert 2.5 <= ratio <= 6, ratio


# ------------------------------------------------------------------ recommender ground truth


def test_bought_together_pairs_are_bought_together(shop):
    _, truth, _, purchases, _, _ = shop
    assert len(truth.bought_together) >= 8
    baskets = purchases.groupby("order_id")["product_id"].apply(set)
    for pair in truth.bought_together:
        a, b = pair.product_a, pair.product_b
        with_a = baskets[baskets.apply(lambda items, a=a: a in items)]
        both = with_a.apply(lambda items, b=b: b in items).mean()
        assert len(with_a) >= 20 and both >= 0.3, (pair, len(with_a), both)


def test_regional_favourites_sell_five_times_better_at_home(shop):
    _, truth, _, purchases, _, _ = shop
    assert len(truth.regional_favourites) >= 5
    for fav in truth.regional_favourites:
        home = purchases["region"] == fav.region
        share_home = (purchases.loc[home, "product_id"] == fav.product_id).mean()
        share_elsewhere = (purchases.loc[~home, "product_id"] == fav.product_id).mean()
        assert share_home >= 5 * share_elsewhere, (fav, share_home, share_elsewhere)


def test_shoppers_view_and_buy_mostly_in_their_favourite_categories(shop):
    _, truth, con, _, _, _ = shop
    assert len(truth.customer_tastes) >= 20
    assert all(2 <= len(t.categories) <= 3 for t in truth.customer_tastes)
    tastes = pd.DataFrame([(t.user_id, c) for t in truth.customer_tastes for c in t.categories],
                          columns=["user_id", "category"])
    rows = con.execute(
        "SELECT e.user_id, e.event_type, p.category FROM events e JOIN products p USING (product_id) "
        "WHERE e.event_type IN ('view', 'purchase')"
    ).df()
    share = rows.groupby("category").size() / len(rows)
    ours = rows[rows["user_id"].isin(tastes["user_id"])]
    own = ours.merge(tastes, on=["user_id", "category"], how="left", indicator=True)["_merge"].eq("both")
    # What their favourites would get if they shopped like everyone else (each user's categories' share).
    expected = tastes.assign(s=tastes["category"].map(share)).groupby("user_id")["s"].sum()
    expected = ours["user_id"].map(expected).mean()
    assert (len(ours) >= 200 and own.mean() >= 0.6
            and own.mean() >= 3 * expected), (len(ours), own.mean(), expected)


def test_categories_sell_at_their_local_hours(shop):
    """Coffee at breakfast, headphones in the evening, garden tools on weekend mornings (local time)."""
    store, _, con, purchases, _, _ = shop
    category = (
        con.execute("SELECT product_id, category FROM products").df().set_index("product_id")["category"]
    )
    parts = []
    for region, group in purchases.groupby("region"):
        local = local_time(group["event_time"], region, store.profile())
        parts.append(pd.DataFrame({"category": group["product_id"].map(category).to_numpy(),
                                   "hour": local.dt.hour.to_numpy(),
                                   "weekday": local.dt.dayofweek.to_numpy()}))
    rows = pd.concat(parts)
    morning, evening = rows["hour"].between(6, 10), rows["hour"].between(19, 23)
    weekend_morning = (rows["weekday"] >= 5) & rows["hour"].between(7, 12)

    def share(when: pd.Series, name: str) -> float:
        return float((rows.loc[when, "category"] == name).mean())

    assert share(morning, "Coffee & Tea") >= 1.8 * share(evening, "Coffee & Tea")
    assert share(evening, "Headphones") >= 1.8 * share(morning, "Headphones")
    assert share(weekend_morning, "Garden") >= 1.8 * share(~weekend_morning, "Garden")


# ------------------------------------------------------------------ reviews: the complaint wave


def test_complaint_wave_turns_one_products_reviews_negative_in_one_region_for_a_week(shop):
    store, truth, con, _, _, _ = shop
    wave = truth.complaint_waves[0]
    reviews = con.execute("SELECT * FROM reviews WHERE product_id = ?", [wave.product_id]).df()
    day = local_dates(reviews, store.profile(), "review_time")
    inside = (reviews["region"] == wave.region) & (day >= wave.start) & (day <= wave.end)
    negative = reviews["rating"] <= 2
    assert (inside & negative).sum() >= 25
    assert negative[inside].mean() >= 0.7
    assert negative[~inside].mean() <= 0.25
    assert reviews.loc[inside & negative, "text"].str.contains("batch").mean() > 0.5


def test_reviews_are_written_between_7_and_22_local_time(shop):
    store, _, con, _, _, _ = shop
    reviews = con.execute("SELECT review_time, region FROM reviews").df()
    for region, group in reviews.groupby("region"):
        hours = local_time(group["review_time"], region, store.profile()).dt.hour
        assert hours.between(7, 21).all(), (region, hours.value_counts().sort_index())
