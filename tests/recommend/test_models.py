"""Session next-item, basket value, context counts and best sellers on small data with a known answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from tools.recommend.base import top_n
from tools.recommend.basket_value import BasketValueModel, split_last_order
from tools.recommend.context import N_SLOTS, ContextCounts, local_time, slot_name, slot_of
from tools.recommend.popularity import BestSellers
from tools.recommend.session import SessionModel, evaluate_next_item


def transitions(pairs: list[tuple[int, int, int]], triples: list[tuple[int, int, int, int]]):
    first = {k: np.array([p[i] for p in pairs]) for i, k in enumerate(("p1", "nxt", "n"))}
    second = {k: np.array([t[i] for t in triples], dtype=np.int64)
              for i, k in enumerate(("p2", "p1", "nxt", "n"))}
    return first, second


def test_session_model_uses_the_longer_path_when_it_has_evidence():
    # After 1 comes 2 most often; but after 0 -> 1 it is always 3.
    first, second = transitions([(1, 2, 50), (1, 3, 20), (0, 1, 20)], [(0, 1, 3, 20)])
    model = SessionModel(backoff=5.0, revisit_weight=0.0).fit(first, second, 5, np.ones(5))
    assert model.predict(np.array([1]), 1)[0][0] == 2
    assert model.predict(np.array([0, 1]), 1)[0][0] == 3
    assert model.predict(np.array([4]), 5)[0].tolist() == [0, 1, 2, 3]  # unseen: popularity, never itself


def test_session_model_expects_shoppers_to_go_back_to_what_they_saw(tmp_path):
    first, second = transitions([(1, 2, 5)], [])
    model = SessionModel(backoff=5.0, revisit_weight=0.8).fit(first, second, 5, np.ones(5))
    assert model.predict(np.array([4, 1]), 1)[0][0] == 4
    model.save(tmp_path / "session.npz")
    loaded = SessionModel.load(tmp_path / "session.npz")
    assert np.allclose(loaded.scores(np.array([4, 1])), model.scores(np.array([4, 1])))


def test_next_item_evaluation_counts_hits_and_reciprocal_ranks():
    paths = [np.array([0, 1, 2]), np.array([3, 4])]
    score = evaluate_next_item(lambda p, k: np.array([1, 2, 4]), paths, k=3)
    assert score.n_predictions == 3 and score.hit_rate == pytest.approx(1.0)
    assert score.mrr == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)


def orders_with_noise(n_users: int = 600, seed: int = 0) -> pd.DataFrame:
    """Each user has a typical basket; each order is that times log-normal noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(n_users):
        typical = np.exp(rng.normal(4.0, 0.6))
        when = pd.Timestamp("2026-01-01", tz="UTC")
        for _ in range(int(rng.integers(2, 8))):
            when += pd.Timedelta(days=float(rng.exponential(20)))
            rows.append((user, when, typical * np.exp(rng.normal(0, 0.6)), int(rng.integers(1, 4))))
    return pd.DataFrame(rows, columns=["uidx", "placed_at", "amount", "n_items"])


def test_basket_value_gru_beats_the_user_mean_and_round_trips(tmp_path):
    history, last = split_last_order(orders_with_noise())
    model = BasketValueModel(epochs=6, seed=0).fit(history)
    score = model.score(history, last)
    assert score.mae_model < score.mae_user_mean and score.ratio < 1
    model.save(tmp_path / "basket.pt")
    again = BasketValueModel.load(tmp_path / "basket.pt")
    assert np.allclose(again.predict(history)["predicted"], model.predict(history)["predicted"])


def test_basket_value_training_changes_the_weights():
    import torch

    history, _ = split_last_order(orders_with_noise(100))
    untrained = BasketValueModel(epochs=1, seed=0)
    torch.manual_seed(0)
    before = {k: v.clone() for k, v in untrained._build().state_dict().items()}
    after = untrained.fit(history)._net.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_split_last_order_keeps_only_users_with_a_history():
    orders = orders_with_noise(20)
    single = pd.DataFrame({"uidx": [999], "placed_at": [pd.Timestamp("2026-02-01", tz="UTC")],
                           "amount": [10.0], "n_items": [1]})
    history, last = split_last_order(pd.concat([orders, single]))
    assert 999 not in set(last["uidx"]) and len(last) == 20
    assert (history.groupby("uidx")["placed_at"].max() < last.set_index("uidx")["placed_at"]).all()


def test_local_time_follows_each_regions_zone():
    friday_night_utc = datetime(2026, 11, 13, 22, 30, tzinfo=UTC)
    madrid = local_time(friday_night_utc, "Europe/Madrid")
    canary = local_time(friday_night_utc, "Atlantic/Canary")
    assert (madrid.hour, canary.hour) == (23, 22)
    assert slot_name(slot_of(madrid)) == "Friday evenings"
    assert slot_name(slot_of(datetime(2026, 11, 14, 1, 0))) == "Saturday nights"
    assert local_time(datetime(2026, 11, 13, 9, 0), "Europe/Madrid").hour == 9  # naive = already local


def test_context_counts_let_a_strong_regional_favourite_through_but_not_a_stray_purchase():
    counts = np.zeros((2, N_SLOTS, 4), dtype=np.float32)
    counts[:, 0] = [[500, 500, 500, 500], [5000, 5000, 5000, 5000]]
    counts[0, 0, 3] += 5000  # region 0 loves item 3
    counts[1, 0, 2] += 3  # region 1 bought item 2 three more times
    context = ContextCounts(counts, counts.sum(axis=(0, 1)), np.zeros(4, dtype=np.int64), prior=3000.0)
    assert context.popularity(0).argmax() == 3 and context.region_lift(0)[3] > 0.5
    assert abs(context.region_lift(1)[2] - context.region_lift(1)[1]) < 0.01  # three sales are no taste
    assert np.allclose(context.popularity(0).sum(), 1.0)


def test_context_counts_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="one value per item"):
        ContextCounts(np.zeros((2, N_SLOTS, 4), dtype=np.float32), np.zeros(3), np.zeros(4, dtype=np.int64))


def test_slot_lift_is_pooled_per_category_so_a_few_stray_sales_are_no_habit():
    counts = np.zeros((2, N_SLOTS, 4), dtype=np.float32)
    counts[0] = 1000.0  # region 0: every item sells alike in every slot ...
    counts[0, 1, :2] = 3000.0  # ... except category 0 (items 0, 1) three times more on Monday mornings
    counts[1, 5, 3] = 3.0  # region 1: three stray sales of item 3 on Tuesday afternoons
    context = ContextCounts(counts, counts.sum(axis=(0, 1)), np.array([0, 0, 1, 1]), prior=3000.0)
    morning = context.slot_lift(1)
    assert morning[0] == morning[1] > 0.3 and morning[2] == morning[3] < -0.5
    assert abs(context.slot_lift(5)[3] - context.slot_lift(6)[3]) < 0.001  # as if they had not happened
    # The local share is the region's share times the category's slot lift, in every region.
    for region in (0, 1):
        local = context.popularity(region, 1)
        assert np.isclose(local.sum(), 1.0) and local[0] > context.popularity(region)[0]


def test_events_without_a_place_count_in_the_shop_wide_share_only():
    counts = np.zeros((2, N_SLOTS, 3), dtype=np.float32)
    counts[0, 0, 2] = 10.0  # in a region: item 2
    recent = np.array([500.0, 50.0, 10.0], dtype=np.float32)  # every event: item 0 leads, mostly placeless
    context = ContextCounts(counts, recent, np.zeros(3, dtype=np.int64), prior=1.0, recent=recent)
    assert context.popularity().argmax() == 0
    assert context.popularity(0).argmax() == 2 and context.has_region_data(0)
    assert not context.has_region_data(1)


def test_best_sellers_rank_units_sold_and_leave_out_items_nobody_touched():
    sellers = BestSellers(np.array([0.0, 3.0, 3.0, 0.0, 1.0]), 30, date(2026, 5, 1))
    interest = np.array([9.0, 1.0, 2.0, 0.0, 0.0])
    ids, _ = top_n(sellers.scores(interest), 5)
    assert ids.tolist() == [2, 1, 4, 0]  # ties by recent interest; item 3: no sale, no interest
