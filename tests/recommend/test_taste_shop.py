"""The recommender where customers have personal taste: ALS earns its place, new products find their kin."""

from __future__ import annotations

from tools.recommend.training import CONTEXT_WEIGHTS


def test_als_with_context_beats_popularity_when_customers_have_taste(taste):
    metrics = taste.recommender.manifest.metrics
    assert metrics["validation_users"] >= 30
    assert metrics["validation_recall@10_als_context"] >= 1.3 * metrics["validation_recall@10_popularity"]
    assert metrics["validation_recall@10_als_context"] >= metrics["validation_recall@10_als"]
    # Taste matters here, so the validation keeps a real share for ALS.
    assert metrics["context_weight"] in CONTEXT_WEIGHTS and metrics["context_weight"] < 1.0


def test_customers_get_more_of_their_favourite_category(taste):
    hits = 0
    users = [u for u in taste.truth.favourite_category if u not in taste.truth.cold_users][:40]
    for user in users:
        frame = taste.recommender.recommend_for_user(user, n=3).frame
        hits += sum(taste.truth.categories[p] == taste.truth.favourite_category[user]
                    for p in frame["product_id"])
    assert hits / (3 * len(users)) > 0.5  # a quarter would be chance: four categories


def test_new_product_without_events_is_similar_to_its_kind_by_description(taste):
    result = taste.recommender.similar_to_item(taste.truth.new_product, n=5)
    assert result.strategy == "description similarity (new product)"
    assert {taste.truth.categories[p] for p in result.frame["product_id"]} == {"Boots"}
    assert result.frame["reason"].iloc[0] == "similar to Everest Waterproof Hiking Boot"


def test_out_of_stock_product_is_never_recommended(taste):
    rec, sold_out = taste.recommender, taste.truth.out_of_stock
    for user in list(taste.truth.favourite_category)[:30]:
        assert sold_out not in set(rec.recommend_for_user(user, n=10).frame["product_id"])
    assert sold_out not in set(rec.similar_to_item("T001", n=10).frame["product_id"])


def test_cold_start_customer_sees_their_regions_favourite(taste):
    for user in taste.truth.cold_users:
        frame = taste.recommender.recommend_for_user(user, n=3).frame
        home = taste.store.connect().execute("SELECT home_region FROM users WHERE user_id = ?",
                                             [user]).fetchone()[0]
        favourite = taste.truth.regional_favourite[home]
        assert favourite in set(frame["product_id"])
        assert frame.loc[frame["product_id"] == favourite, "reason"].iloc[0].startswith("a favourite in")


def test_bought_with_a_past_purchase_is_the_reason_given(taste):
    a, b = taste.truth.pair
    rows = taste.store.connect().execute(
        "SELECT DISTINCT user_id FROM events WHERE event_type = 'purchase' AND product_id = ? "
        "EXCEPT SELECT user_id FROM events WHERE event_type = 'purchase' AND product_id = ?", [a, b]
    ).fetchall()
    reasons = []
    for (user,) in rows[:10]:
        frame = taste.recommender.recommend_for_user(user, n=10).frame
        reasons += frame.loc[frame["product_id"] == b, "reason"].tolist()
    assert reasons and all(r == "often bought with your Trailblazer Hiking Boot" for r in reasons)


def test_customer_who_signed_up_after_training_is_served_from_the_live_users_table(taste, tmp_path):
    import pyarrow as pa

    from tools.events.store import EventStore
    from tools.recommend import Recommender

    store = EventStore(tmp_path / "store")
    store.write_table("users",
                      pa.table({"user_id": ["NEW1"], "home_region": ["Madrid"], "home_city": ["Madrid"]}))
    # The trained models over a store whose users table has moved on (a saved version loads only for the
    # store it was trained on, so the models are handed over directly).
    rec = Recommender(taste.recommender.models, taste.recommender.manifest, store)
    result = rec.recommend_for_user("NEW1", n=3)
    assert taste.truth.regional_favourite["Madrid"] in set(result.frame["product_id"])
    assert "in Madrid" in result.title
