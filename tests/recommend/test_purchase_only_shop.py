"""The recommender on a shop that is not the demo: Northwind's profile, a purchase-only export (customer,
product, time; no order ids, prices, places or sessions) ingested through the real ingest, no catalogue.

Customers favour one of four product groups, SKU-A00 and SKU-B00 are bought on the same day, and the
best sellers are computed again here from the CSV with pandas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app
from tests.shops import NORTHWIND
from tools.agent_tools.customer import recommendation_output
from tools.events.ingest import ingest_file
from tools.events.mapping import ColumnMapping
from tools.events.store import EventStore
from tools.recommend import Recommender, RecommenderParams
from tools.recommend.coverage import BASKET_VALUE, BOUGHT_TOGETHER, CONTENT, NEXT_ITEM, REGIONAL
from tools.recommend.result import PartNotTrained

GROUPS = "ABCD"
PER_GROUP = 10
PAIR = ("SKU-A00", "SKU-B00")
PURCHASES_ONLY = ColumnMapping.from_flags(
    ["event_time=Bought at", "user_id=Customer", "product_id=Item"], ["event_type=purchase"],
    time_format="%d/%m/%Y %H:%M",
)
EVERYTHING_BOUGHT = "cust9999"  # bought every product once: nothing new is left to recommend
NEITHER_NONE_NOR_NAN = re.compile(r"\b(None|nan|NaN)\b")


@dataclass
class PurchaseShop:
    store: EventStore
    recommender: Recommender
    model_dir: Path
    csv: pd.DataFrame  # the export as pandas reads it, times parsed
    favourite: dict[str, str]  # customer -> group letter


def write_export(path: Path, n_customers: int = 300, days: int = 120, seed: int = 11) -> dict[str, str]:
    """A purchase-only CSV; returns each customer's favourite group."""
    rng = np.random.default_rng(seed)
    items = [f"SKU-{g}{k:02d}" for g in GROUPS for k in range(PER_GROUP)]
    appeal = np.tile(1.0 / np.arange(1, PER_GROUP + 1), len(GROUPS))  # a clear order of sellers per group
    start = datetime(2026, 1, 1, tzinfo=UTC)
    favourite = {f"cust{c:04d}": GROUPS[c % len(GROUPS)] for c in range(n_customers)}
    rows = []
    for customer, group in favourite.items():
        weights = appeal * np.where([i[4] == group for i in items], 15.0, 1.0)
        for _ in range(int(rng.integers(4, 12))):
            when = start + timedelta(minutes=int(rng.integers(0, days * 24 * 60)))
            item = items[rng.choice(len(items), p=weights / weights.sum())]
            rows.append((customer, item, when))
            if item == PAIR[0] and rng.random() < 0.9:
                rows.append((customer, PAIR[1], when + timedelta(minutes=20)))
    rows += [(EVERYTHING_BOUGHT, item, start + timedelta(days=1, minutes=k)) for k, item in enumerate(items)]
    rows.sort(key=lambda row: row[2])
    pd.DataFrame({"Customer": [r[0] for r in rows], "Item": [r[1] for r in rows],
                  "Bought at": [r[2].strftime("%d/%m/%Y %H:%M") for r in rows]}).to_csv(path, index=False)
    return favourite


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> PurchaseShop:
    root = tmp_path_factory.mktemp("purchase-only")
    favourite = write_export(root / "purchases.csv")
    store = EventStore(root / "store")
    store.save_profile(NORTHWIND)  # regions in the profile, none in the data
    report = ingest_file(store, root / "purchases.csv", PURCHASES_ONLY)
    assert report.rows_rejected == 0
    model_dir = root / "recommender"
    # Content embeddings asked for, and no embedder given: the data has no texts, so none is needed.
    recommender = Recommender.train(store, model_dir, None, RecommenderParams(basket_epochs=2))
    csv = pd.read_csv(root / "purchases.csv")
    csv["at"] = pd.to_datetime(csv["Bought at"], format="%d/%m/%Y %H:%M", utc=True)
    return PurchaseShop(store, recommender, model_dir, csv, favourite)


def test_training_skips_what_the_data_cannot_teach_and_says_why(shop: PurchaseShop) -> None:
    manifest = shop.recommender.manifest
    assert set(manifest.skipped) == {BASKET_VALUE, REGIONAL, NEXT_ITEM, CONTENT}
    assert "price" in manifest.skipped[BASKET_VALUE] and "region" in manifest.skipped[REGIONAL]
    assert "session" in manifest.skipped[NEXT_ITEM] and "names or descriptions" in manifest.skipped[CONTENT]
    n = f"{len(shop.csv):,}"
    assert manifest.notes == [(f"{n} of {n} purchases have no order id: an order (bought together, basket "
                               "value) is then the customer's purchases in one session, else on one day "
                               "(UTC)")]
    # Kept with the saved version.
    assert Recommender.load_latest(shop.model_dir, shop.store).manifest.skipped == manifest.skipped


def test_best_sellers_are_the_most_bought_products_of_the_last_30_days(shop: PurchaseShop) -> None:
    last = shop.csv["at"].max()
    recent = shop.csv[shop.csv["at"] > last - pd.Timedelta(days=30)]
    sold = recent["Item"].value_counts()
    result = shop.recommender.recommend_for_user(None, n=8)
    assert result.strategy == f"best sellers of the 30 days to {last.date()} (new visitor)"
    shown = result.frame["product_id"].tolist()
    assert [sold[p] for p in shown] == sold.sort_values(ascending=False).head(8).tolist()
    for product, reason in zip(shown, result.frame["reason"]):
        assert reason == f"one of the shop's best sellers: {sold[product]} bought in the last 30 days"


def test_a_region_without_events_gets_the_shops_best_sellers_with_a_note(shop: PurchaseShop) -> None:
    there = shop.recommender.recommend_for_user(None, n=5, region="Oregon")
    anywhere = shop.recommender.recommend_for_user(None, n=5)
    assert there.frame["product_id"].tolist() == anywhere.frame["product_id"].tolist()
    assert there.notes == ["no events were recorded in Oregon; showing the shop's best sellers"]
    assert not any("Oregon" in reason for reason in there.frame["reason"])


@pytest.mark.parametrize("algorithm", ["als", "bpr"])
def test_purchases_alone_personalise_beyond_the_best_sellers(shop: PurchaseShop, algorithm: str) -> None:
    rec = shop.recommender
    if algorithm != "als":
        rec = Recommender.train(shop.store, shop.model_dir, None, RecommenderParams(
            algorithm=algorithm, basket_epochs=1, content_embeddings=False), save=False)
    metrics = rec.manifest.metrics
    assert metrics["validation_recall@10_als_context"] >= 1.3 * metrics["validation_recall@10_popularity"]
    customers = sorted(shop.favourite)[:60]
    best_sellers = rec.recommend_for_user(None, n=3).frame["product_id"]

    def share_of_favourites(picks) -> float:
        hits = sum(p[4] == shop.favourite[c] for c, products in picks for p in products)
        return hits / (3 * len(customers))

    personal = share_of_favourites((c, rec.recommend_for_user(c, n=3).frame["product_id"]) for c in customers)
    assert personal >= 1.3 * share_of_favourites((c, best_sellers) for c in customers)
    # No places: the blend's prior is the shop's recent popularity, and the strategy says so.
    assert rec.recommend_for_user(customers[0], n=3).strategy == f"{algorithm.upper()} + recent popularity"


def test_bought_together_comes_from_same_day_baskets_and_says_so(shop: PurchaseShop) -> None:
    result = shop.recommender.bought_together(PAIR[0], n=3)
    assert result.frame["product_id"].iloc[0] == PAIR[1]
    assert result.strategy == "co-occurrence in baskets"
    together = shop.csv.assign(day=shop.csv["at"].dt.date).groupby(["Customer", "day"])["Item"].agg(set)
    expected = sum(set(PAIR) <= basket for basket in together)
    assert result.frame["reason"].iloc[0] == f"bought with {PAIR[0]} in {expected} baskets"


def test_basket_value_question_names_what_the_data_lacks(shop: PurchaseShop) -> None:
    with pytest.raises(PartNotTrained, match="no purchase has a price.*map the price"):
        shop.recommender.predict_next_basket_value("cust0001")


def test_no_none_or_nan_reaches_a_customer(shop: PurchaseShop) -> None:
    rec = shop.recommender
    results = [rec.recommend_for_user(None, n=5), rec.recommend_for_user("cust0001", n=5),
               rec.bought_together(PAIR[0], n=5), rec.similar_to_item(PAIR[0], n=5),
               rec.next_items([PAIR[0]], n=5)]
    for result in results:
        assert not result.frame.empty
        texts = [result.summary(), result.title, result.strategy, *result.notes, *result.frame["reason"],
                 *result.frame["name"]]
        cards = recommendation_output("recommend", result).cards
        texts += [str(value) for card in cards for value in card.values() if value is not None]
        assert not [t for t in texts if NEITHER_NONE_NOR_NAN.search(t)], texts
        assert result.frame["category"].isna().all() and result.frame["price"].isna().all()
        assert f"{PAIR[0]} ({PAIR[0]}" not in result.summary()  # the id said once, not as its own name


@pytest.fixture
def cli_env(shop: PurchaseShop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> PurchaseShop:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHRONOTOPE_STORE_DIR", str(shop.store.root))
    get_settings.cache_clear()
    yield shop
    get_settings.cache_clear()


def test_cli_trains_prints_the_skipped_parts_and_shows_blanks_not_none(cli_env: PurchaseShop) -> None:
    runner = CliRunner()
    trained = runner.invoke(app, ["recommend", "train", "--no-content"], env={"COLUMNS": "200"})
    assert trained.exit_code == 0, trained.output
    assert "skipped basket value: no purchase has a price" in trained.output
    assert "skipped regional context: no event is in a region" in trained.output
    assert "note: " in trained.output and "have no order id" in trained.output
    shown = runner.invoke(app, ["recommend", "--user", "cust0001", "-n", "3"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "Recommendations for cust0001" in shown.output and not NEITHER_NONE_NOR_NAN.search(shown.output)
    basket = runner.invoke(app, ["recommend", "--user", "cust0001", "--basket"], env={"COLUMNS": "200"})
    assert basket.exit_code == 2 and "no purchase has a price" in basket.output


def test_categories_and_prices_of_the_events_fill_in_for_a_missing_catalogue(tmp_path: Path) -> None:
    write_export(tmp_path / "plain.csv", n_customers=120, days=60)
    export = pd.read_csv(tmp_path / "plain.csv")
    rng = np.random.default_rng(5)
    rupees = rng.random(len(export)) < 0.3
    base = {item: 10.0 + 5 * k for k, item in enumerate(sorted(export["Item"].unique()))}
    export["Category"] = "Group " + export["Item"].str[4]
    export["Currency"] = np.where(rupees, "INR", "USD")
    export["Price"] = [round(base[i] * (1 + 0.1 * rng.random()) / (0.012 if r else 1), 2)
                       for i, r in zip(export["Item"], rupees)]
    export.to_csv(tmp_path / "priced.csv", index=False)
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    mapping = PURCHASES_ONLY.overridden_by(ColumnMapping.from_flags(
        ["category=Category", "price=Price", "currency=Currency"]))
    assert ingest_file(store, tmp_path / "priced.csv", mapping).rows_rejected == 0
    rec = Recommender.train(store, tmp_path / "recommender", None,
                            RecommenderParams(basket_epochs=2, content_embeddings=False))
    assert BASKET_VALUE not in rec.manifest.skipped and "have no order id" in rec.manifest.notes[0]

    export["usd"] = export["Price"] * np.where(export["Currency"] == "INR", 0.012, 1.0)
    latest = export.groupby("Item").tail(1).set_index("Item")  # the file is in time order
    result = rec.recommend_for_user("cust0001", n=5)
    assert result.currency == "USD"
    for row in result.frame.itertuples():
        assert row.category == f"Group {row.product_id[4]}"
        assert row.price == pytest.approx(latest.loc[row.product_id, "usd"])

    # Orders are the customer's purchases on one day, valued in dollars.
    mine = export[export["Customer"] == "cust0001"].assign(
        day=pd.to_datetime(export["Bought at"], format="%d/%m/%Y %H:%M").dt.date)
    per_day = mine.groupby("day", sort=True)["usd"].sum().tolist()
    prediction = rec.predict_next_basket_value("cust0001")
    assert prediction.currency == "USD" and prediction.n_orders == len(per_day)
    past = prediction.frame[prediction.frame["kind"] == "past"]["amount"].tolist()
    assert past == pytest.approx(per_day)


def test_a_views_only_export_trains_and_never_calls_anything_a_best_seller(tmp_path: Path) -> None:
    write_export(tmp_path / "views.csv", n_customers=100)
    store = EventStore(tmp_path / "store")
    store.save_profile(NORTHWIND)
    views = PURCHASES_ONLY.overridden_by(ColumnMapping.from_flags(sets=["event_type=view"]))
    ingest_file(store, tmp_path / "views.csv", views)
    rec = Recommender.train(store, tmp_path / "recommender", None, RecommenderParams(basket_epochs=1))
    assert {BOUGHT_TOGETHER, BASKET_VALUE, REGIONAL, NEXT_ITEM, CONTENT} == set(rec.manifest.skipped)
    visitor = rec.recommend_for_user(None, n=5)
    assert visitor.strategy == "popular lately (new visitor)"
    assert set(visitor.frame["reason"]) == {"popular with shoppers lately"}
    assert rec.bought_together(PAIR[0]).notes == [rec.manifest.skipped[BOUGHT_TOGETHER]]
    assert len(rec.recommend_for_user("cust0001", n=5).frame) == 5


def test_a_customer_who_bought_everything_gets_products_to_buy_again(shop: PurchaseShop) -> None:
    """A small catalogue runs out of new products (Northwind: six, and a customer had bought all six): the
    answer was "nothing to recommend"."""
    result = shop.recommender.recommend_for_user(EVERYTHING_BOUGHT, n=5)
    assert len(result.frame) == 5 and result.strategy.endswith("to buy again")
    assert set(result.frame["reason"]) == {"bought 1 time(s) before"}
    assert "every product in stock was already bought" in result.summary()
    regular = next(iter(shop.favourite))  # a customer with new products left: none bought before
    bought = set(shop.csv.loc[shop.csv["Customer"] == regular, "Item"])
    assert not bought & set(shop.recommender.recommend_for_user(regular, n=5).frame["product_id"])
