"""The recommender on the demo shop: planted patterns found, context used, bad ids refused, state saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from tools.events.profile import UnknownPlace
from tools.events.regions import get_region
from tools.recommend import Recommender, UnknownProduct, UnknownUser
from tools.results import ChartSpec


def warm_user(case, region: str | None = None) -> str:
    """A customer with history (in `region` when given)."""
    con = case.store.connect()
    where = "WHERE u.home_region = ?" if region else ""
    query = (
        "SELECT e.user_id FROM events e JOIN users u USING (user_id) "
        f"{where} GROUP BY e.user_id HAVING count(DISTINCT order_id) >= 3 "
        "ORDER BY e.user_id LIMIT 1"
    )
    return con.execute(query, [region] if region else []).fetchone()[0]


def cold_user(case) -> tuple[str, str]:
    """A signed-up customer who never shopped, with their home region."""
    return case.store.connect().execute(
        "SELECT user_id, home_region FROM users WHERE user_id NOT IN (SELECT user_id FROM events) "
        "ORDER BY user_id LIMIT 1"
    ).fetchone()


def test_planted_bought_together_pairs_come_first(demo_recommender):
    case = demo_recommender
    for pair in case.truth.bought_together:
        result = case.recommender.bought_together(pair.product_a, n=5)
        assert result.frame["product_id"].iloc[0] == pair.product_b, result.summary()
        assert "orders" in result.frame["reason"].iloc[0]


def test_planted_regional_favourites_rise_in_their_region(demo_recommender):
    rec = demo_recommender.recommender
    overall = rec.recommend_for_user(None, n=100)
    overall_rank = {p: k for k, p in enumerate(overall.frame["product_id"])}
    for favourite in demo_recommender.truth.regional_favourites:
        local = rec.recommend_for_user(None, n=10, region=favourite.region).frame["product_id"].tolist()
        assert favourite.product_id in local[:3], (favourite, local)
        assert local.index(favourite.product_id) <= overall_rank.get(favourite.product_id, 100)


def test_region_context_lifts_a_favourite_for_a_customer_with_history(demo_recommender):
    rec = demo_recommender.recommender
    overall = rec.recommend_for_user(None, n=100).frame["product_id"].tolist()
    # The favourite least popular overall: where the region, not general popularity, must lift it.
    favourite = max(demo_recommender.truth.regional_favourites,
                    key=lambda f: overall.index(f.product_id) if f.product_id in overall else 100)
    user = warm_user(demo_recommender)
    at = datetime(2026, 11, 13, 20, 0)
    here = rec.recommend_for_user(user, n=100, region=favourite.region, at=at).frame
    elsewhere = rec.recommend_for_user(user, n=100, region="Madrid", at=at).frame["product_id"].tolist()
    rank_here = here["product_id"].tolist().index(favourite.product_id)
    assert rank_here < 10
    assert rank_here < (elsewhere.index(favourite.product_id) if favourite.product_id in elsewhere else 100)
    reason = here["reason"].iloc[rank_here]
    assert reason.startswith(("popular in", "often bought with"))


def test_cold_start_customer_gets_favourites_of_their_home_region(demo_recommender):
    user, home = cold_user(demo_recommender)
    result = demo_recommender.recommender.recommend_for_user(user, n=5)
    expected = demo_recommender.recommender.recommend_for_user(None, n=5, region=home)
    assert result.strategy == "regional favourites (new customer)"
    assert result.frame["product_id"].tolist() == expected.frame["product_id"].tolist()
    assert all(" in " in reason for reason in result.frame["reason"])


def test_customer_recommendations_skip_bought_and_out_of_stock_products(demo_recommender):
    case = demo_recommender
    user = warm_user(case)
    con = case.store.connect()
    bought = {r[0] for r in con.execute(
        "SELECT DISTINCT product_id FROM events WHERE user_id = ? AND event_type = 'purchase'",
        [user]).fetchall()}
    sold_out = {r[0] for r in con.execute("SELECT product_id FROM products WHERE stock = 0").fetchall()}
    assert sold_out, "the demo shop should have out-of-stock products"
    result = case.recommender.recommend_for_user(user, n=50)
    shown = set(result.frame["product_id"])
    assert len(shown) == 50 and not shown & bought and not shown & sold_out
    assert result.strategy == "ALS + context"
    assert result.frame["reason"].str.len().min() > 10


def test_local_time_decides_the_slot_named_in_reasons(demo_recommender):
    rec = demo_recommender.recommender
    # 19:30 UTC on a Friday is 20:30 in Lyon's zone: a Friday evening there, whichever way it is given.
    aware = rec.recommend_for_user(None, n=10, region="Auvergne-Rhone-Alpes",
                                   at=datetime(2026, 11, 13, 19, 30, tzinfo=UTC))
    naive = rec.recommend_for_user(None, n=10, region="Auvergne-Rhone-Alpes",
                                   at=datetime(2026, 11, 13, 20, 30))
    assert aware.frame.equals(naive.frame)
    assert get_region("FR-ARA").tz == "Europe/Paris"


def test_planted_time_of_day_mix_shows_in_the_picks_and_the_reasons(demo_recommender):
    rec = demo_recommender.recommender
    # The demo shop sells coffee at breakfast and headphones, audio and games in the evening.
    kinds = {"coffee": ["Coffee & Tea"], "evening": ["Headphones", "Home Audio", "Toys & Games"]}
    at_breakfast, in_the_evening = datetime(2026, 11, 11, 8, 0), datetime(2026, 11, 11, 21, 0)

    def best(who, at):  # rank of the first product of each kind, and its reason
        frame = rec.recommend_for_user(who, n=100, region="Bavaria", at=at).frame.reset_index(drop=True)
        first = {kind: int(frame.index[frame["category"].isin(c)].min()) for kind, c in kinds.items()}
        return first, {kind: frame["reason"].iloc[k] for kind, k in first.items()}

    for who in (None, warm_user(demo_recommender)):
        (morning, why_morning), (evening, why_evening) = best(who, at_breakfast), best(who, in_the_evening)
        assert morning["coffee"] < evening["coffee"] and evening["evening"] < morning["evening"]
        assert why_morning["coffee"].endswith("in Bavaria on Wednesday mornings")
        assert why_evening["evening"].endswith("in Bavaria on Wednesday evenings")


def test_next_items_follow_the_planted_pair(demo_recommender):
    rec = demo_recommender.recommender
    for pair in demo_recommender.truth.bought_together[:3]:
        result = rec.next_items([pair.product_a], n=5)
        assert result.frame["product_id"].iloc[0] == pair.product_b
        assert pair.product_a not in set(result.frame["product_id"])


def test_session_and_basket_models_beat_their_baselines(demo_recommender):
    metrics = demo_recommender.recommender.manifest.metrics
    assert metrics["next_item_hit_rate@10"] > metrics["next_item_hit_rate@10_popularity"]
    assert metrics["basket_value_mae"] < metrics["basket_value_mae_user_mean"]


def test_next_basket_value_is_predicted_in_the_shops_reporting_currency(demo_recommender):
    case = demo_recommender
    user = warm_user(case, "Greater London")  # pays in GBP: the amounts are converted at the profile's rate
    prediction = case.recommender.predict_next_basket_value(user)
    assert prediction.predicted > 0 and prediction.n_orders >= 3 and prediction.currency == "EUR"
    assert "EUR" in prediction.summary()
    assert prediction.frame["kind"].tolist()[-1] == "predicted"
    paid = case.store.connect().execute(
        "SELECT order_id, sum(price * coalesce(quantity, 1)) FROM events WHERE user_id = ? "
        "AND event_type = 'purchase' AND order_id IS NOT NULL GROUP BY 1 ORDER BY min(event_time)", [user]
    ).fetchall()
    past = prediction.frame[prediction.frame["kind"] == "past"]["amount"].tolist()
    assert past == pytest.approx([gbp / 0.86 for _, gbp in paid][: len(past)], rel=1e-9)
    newcomer = case.recommender.predict_next_basket_value(cold_user(case)[0])
    assert newcomer.n_orders == 0 and newcomer.predicted > 0 and "median first order" in newcomer.basis


def test_unknown_ids_raise_errors_that_say_what_to_do(demo_recommender):
    rec = demo_recommender.recommender
    with pytest.raises(UnknownUser, match="Unknown user id 'U999999'.*ids look like"):
        rec.recommend_for_user("U999999")
    with pytest.raises(UnknownProduct, match="Unknown product id 'P9999'.*Search the catalogue"):
        rec.similar_to_item("P9999")
    with pytest.raises(UnknownProduct, match="'nope'"):
        rec.next_items(["P0001", "nope"])
    with pytest.raises(UnknownPlace, match="Known regions: Ile-de-France"):
        rec.recommend_for_user(None, region="Atlantis")
    with pytest.raises(ValueError, match="n must be between 1 and 100"):
        rec.bought_together("P0001", n=0)
    with pytest.raises(ValueError, match="session_path is empty"):
        rec.next_items([])


def test_result_has_summary_and_bar_chart(demo_recommender):
    result = demo_recommender.recommender.recommend_for_user(warm_user(demo_recommender), n=5)
    assert list(result.frame.columns) == ["product_id", "name", "category", "price", "score", "reason"]
    assert result.frame["score"].is_monotonic_decreasing
    summary = result.summary()
    assert result.frame["name"].iloc[0] in summary and "\n" not in summary
    chart = result.chart()
    assert isinstance(chart, ChartSpec) and chart.kind == "bar" and len(chart.data) == 5


def test_save_and_load_round_trip_gives_the_same_answers(demo_recommender):
    case = demo_recommender
    loaded = Recommender.load_latest(case.model_dir, case.store)
    user, pair = warm_user(case), case.truth.bought_together[0]
    at = datetime(2026, 11, 13, 20, 0)
    for call in (
        lambda r: r.recommend_for_user(user, n=10, at=at).frame,
        lambda r: r.recommend_for_user(None, n=10, region="Bavaria", at=at).frame,
        lambda r: r.bought_together(pair.product_a, n=5, region="Bavaria").frame,
        lambda r: r.similar_to_item(pair.product_a, n=5).frame,
        lambda r: r.next_items([pair.product_a, pair.product_b], n=5).frame,
        lambda r: r.predict_next_basket_value(user).frame,
    ):
        assert call(case.recommender).equals(call(loaded))
    assert loaded.manifest.version == case.recommender.manifest.version


def test_store_changes_make_the_model_stale(demo_recommender, tmp_path):
    case = demo_recommender
    assert not case.recommender.is_stale()
    from tools.events.store import EventStore

    copy = EventStore(tmp_path / "empty")
    copy.append_events(pa.table({
        "event_time": pa.array([datetime(2026, 11, 16, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
        "event_type": ["view"], "user_id": ["U000001"], "product_id": ["P0001"],
    }))
    assert case.recommender.is_stale(copy)


def test_a_signed_in_customer_the_shop_has_no_data_of_gets_its_favourites(demo_recommender):
    """A customer the shop signed in, with orders neither in the trained data nor in the users table (a new
    account, an import of orders only): the customer tool shows the shop's favourites instead of an
    error naming the id; the recommender itself still refuses the id."""
    from types import SimpleNamespace

    from tools.agent_tools.customer import my_recommendations
    from tools.registry import Session, ToolRegistry

    case = demo_recommender
    with pytest.raises(UnknownUser):
        case.recommender.recommend_for_user("U999999001")
    registry = ToolRegistry([my_recommendations], engines=SimpleNamespace(recommender=case.recommender))
    out = registry.call("my_recommendations", {}, Session("customer", "U999999001"))
    visitor = case.recommender.recommend_for_user(None)
    assert list(out.frame["product_id"]) == list(visitor.frame["product_id"])[:5] and len(out.frame) == 5
    assert "the shop's favourites" in out.summary and "U999999001" not in out.summary
