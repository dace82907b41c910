"""Fraud cases on the planted shop: every planted type caught with its reason, labels move the ranking,
one new order scored in real time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.anomaly.records import END
from tests.anomaly.shop import PlantedShop
from tools.anomaly import AnomalyInputError, FraudDetector, detect_fraud, label_case
from tools.anomaly.fraud.labels import LabelStore

REASON_WORDS = {
    "impossible_travel": r"3 orders 1,05\d km apart within 40 minutes \(Paris -> Madrid",
    "card_testing": r"12 orders under EUR \d+\.\d\d from device DCT0001 within 22 minutes",
    "device_ring": r"device DRING01 used by 7 accounts \(7 created in the last 30 days\)",
    "ship_far": r"shipped 1,8\d\d km from the account's home \(London -> Palermo\)",
}


@pytest.fixture(scope="module")
def detector(planted_shop: PlantedShop) -> FraudDetector:
    return FraudDetector.from_store(planted_shop.store)


@pytest.fixture(scope="module")
def week(detector: FraudDetector):
    return detector.detect("7d")


def _case_of(frame: pd.DataFrame, planted) -> pd.DataFrame:
    return frame[
        frame.apply(
            lambda row: bool(
                set(row.user_ids) & set(planted.user_ids) or set(row.device_ids) & set(planted.device_ids)
            ),
            axis=1,
        )
    ]


@pytest.mark.parametrize("kind", list(REASON_WORDS))
def test_each_planted_fraud_type_is_caught_with_its_reason(week, planted_shop, kind):
    planted = next(case for case in planted_shop.truth.fraud if case.kind == kind)
    found = _case_of(week.frame, planted)
    assert len(found) == 1, f"{kind}: {week.frame[['case_id', 'kinds']]}"
    case = found.iloc[0]
    assert kind in case["kinds"]
    assert any(pd.Series(case["reasons"]).str.contains(REASON_WORDS[kind]))
    assert set(planted.order_ids) <= set(case["order_ids"])


def test_ordinary_shoppers_are_not_reported(week, planted_shop):
    planted = planted_shop.truth.fraud
    matched = week.frame.apply(
        lambda row: any(
            set(row.user_ids) & set(c.user_ids) or set(row.device_ids) & set(c.device_ids) for c in planted
        ),
        axis=1,
    )
    assert matched.all(), week.frame.loc[~matched, ["case_id", "reasons"]].to_string()
    # Families share a device (two accounts): not a ring.
    assert not week.frame["kinds"].apply(lambda kinds: "device_ring" in kinds).sum() > 1


def test_report_has_summary_and_map(week):
    assert week.summary().startswith("4 suspicious case(s)")
    chart = week.chart()
    assert chart.kind == "map" and len(chart.data) == len(week.orders)
    assert {"lat", "lon", "value", "label"} <= set(chart.data[0])


def _far_order(store, order_id: str, minutes: int) -> dict:
    with store.connect() as con:
        user = (
            con.execute("SELECT * FROM users WHERE home_region = 'Bavaria' ORDER BY user_id LIMIT 1")
            .df()
            .iloc[0]
        )
    return {
        "order_id": order_id,
        "user_id": user.user_id,
        "placed_at": END + pd.Timedelta(minutes=minutes),
        "amount": 60.0,
        "device_id": "D" + user.user_id[1:],
        "lat": user.home_lat,
        "lon": user.home_lon,
        "shipping_lat": 37.39,
        "shipping_lon": -5.98,
        "shipping_city": "Seville",
    }


def test_labels_change_the_ranking_and_persist(planted_shop, tmp_path):
    state = tmp_path / "anomaly"
    detector = FraudDetector.from_store(planted_shop.store, state_dir=state)
    before = detector.detect("7d").frame
    far_case = before.loc[before["kinds"].apply(lambda k: "ship_far" in k), "case_id"].iloc[0]
    ring_case = before.loc[before["kinds"].apply(lambda k: "device_ring" in k), "case_id"].iloc[0]
    far_before = detector.score_order(_far_order(planted_shop.store, "N1", 5), remember=False).risk

    detector.label_case(far_case, fraud=True, note="confirmed with the card issuer")
    detector.label_case(ring_case, fraud=False, note="a school's shared tablet")
    after = detector.detect("7d").frame
    assert after["case_id"].iloc[0] == far_case and after["status"].iloc[0] == "confirmed fraud"
    assert after.set_index("case_id").loc[ring_case, "status"] == "cleared"
    assert list(after["case_id"]) != list(before["case_id"])
    # The label model generalises: a new far-shipped order now looks riskier than before.
    far_after = detector.score_order(_far_order(planted_shop.store, "N2", 5), remember=False).risk
    assert far_after > far_before + 0.05

    stored = {label.case_id: label.fraud for label in LabelStore(state).all()}
    assert stored == {far_case: True, ring_case: False}
    reloaded = FraudDetector.from_store(planted_shop.store, state_dir=state).detect("7d").frame
    assert list(reloaded["case_id"]) == list(after["case_id"])


def test_labelling_an_unknown_case_lists_the_known_ones(planted_shop, tmp_path):
    detect_fraud(planted_shop.store, since="7d", state_dir=tmp_path)
    with pytest.raises(AnomalyInputError, match=r"Unknown fraud case 'FC-NOPE'. Known cases: .*FC-DCT0001"):
        label_case(tmp_path, "FC-NOPE", fraud=True)


def test_real_time_scoring_catches_a_card_testing_burst(detector):
    ordinary = detector.score_order(
        {
            "order_id": "R0",
            "user_id": "U00010",
            "placed_at": END + pd.Timedelta(minutes=1),
            "amount": 55.0,
            "device_id": "D00010",
            "lat": 48.86,
            "lon": 2.35,
        },
        remember=False,
    )
    assert ordinary.risk < 0.3 and ordinary.flags == []
    burst = [
        detector.score_order(
            {
                "order_id": f"B{i}",
                "user_id": "U99999",
                "placed_at": END + pd.Timedelta(minutes=i),
                "amount": 1.2,
                "device_id": "DNEW",
                "lat": 41.39,
                "lon": 2.17,
            }
        )
        for i in range(6)
    ]
    assert "card_testing" not in burst[3].flags and "card_testing" in burst[4].flags
    assert burst[-1].risk > 0.85
    assert "6 orders under EUR" in burst[-1].summary()


def test_real_time_scoring_catches_impossible_travel(detector, planted_shop):
    with planted_shop.store.connect() as con:
        user = (
            con.execute("SELECT * FROM users WHERE home_region = 'Greater London' ORDER BY user_id LIMIT 1")
            .df()
            .iloc[0]
        )
    home = {
        "order_id": "T1",
        "user_id": user.user_id,
        "placed_at": END + pd.Timedelta(minutes=10),
        "amount": 40.0,
        "device_id": "D" + user.user_id[1:],
        "lat": user.home_lat,
        "lon": user.home_lon,
    }
    assert detector.score_order(home).flags == []
    rome = {
        **home,
        "order_id": "T2",
        "placed_at": END + pd.Timedelta(minutes=40),
        "lat": 41.9,
        "lon": 12.5,
        "device_id": "DX",
    }
    scored = detector.score_order(rome)
    assert "impossible_travel" in scored.flags
    assert "(London -> Rome" in scored.reasons[0]


def test_fast_isolation_path_matches_scikit_learn(detector):
    from tools.anomaly.fraud.features import MODEL_FEATURES

    rows = detector.scored[list(MODEL_FEATURES)].to_numpy(dtype=float)[:200]
    fast = np.array([detector.model.isolation.score_one(row) for row in rows])
    np.testing.assert_allclose(fast, detector.model.isolation.score(rows), rtol=1e-9)


def test_fraud_period_without_orders_is_an_error(planted_shop):
    with pytest.raises(AnomalyInputError, match="No orders from"):
        detect_fraud(planted_shop.store, since="7d", as_of=pd.Timestamp("2020-01-01", tz="UTC"))


def test_reasons_quote_the_shops_own_currency_and_places() -> None:
    from tools.anomaly.fraud.rules import ReasonContext, order_reason
    from tools.events.profile import Place, ShopProfile

    shop = ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York"),
        Place("city", "Boston", "US", "America/New_York", lat=42.36, lon=-71.06),
        Place("city", "Seattle", "US", "America/Los_Angeles", lat=47.61, lon=-122.33),
    ))
    limits = ReasonContext(small_amount=4.0, high_value_amount=900.0, high_value_q=0.99, profile=shop)
    row = {"account_age_days": 0.5, "reporting_amount": 1250.0, "travel_from_lat": 42.3,
           "travel_from_lon": -71.1, "lat": 47.6, "lon": -122.3, "travel_km": 4000.0, "travel_hours": 1.0,
           "travel_kmh": 4000.0}
    assert "an order of USD 1,250 (above USD 900" in order_reason("new_account_high_value", row, limits)
    assert "(Boston -> Seattle" in order_reason("impossible_travel", row, limits)
