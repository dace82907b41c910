"""Trained recommenders shared by the area's tests: one on each generated shop (the demo shop, then the
second shop), one on the taste shop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.recommend.taste_shop import TasteTruth, build_taste_shop
from tools.events.schema import GroundTruth
from tools.events.store import EventStore
from tools.recommend import Recommender, RecommenderParams

# Fast settings for the demo shop: the point is the planted patterns, not the last digit of accuracy.
DEMO_PARAMS = RecommenderParams(iterations=8, context_weight=0.9, basket_epochs=2, content_embeddings=False)
# Tests that name the demo's own places or currency (Madrid, Lyon, Bavaria, London's pounds) run on it alone.
DEMO_ONLY = (
    "test_region_context_lifts_a_favourite_for_a_customer_with_history",
    "test_local_time_decides_the_slot_named_in_reasons",
    "test_planted_time_of_day_mix_shows_in_the_picks_and_the_reasons",
    "test_next_basket_value_is_predicted_in_the_shops_reporting_currency",
    "test_unknown_ids_raise_errors_that_say_what_to_do",
    "test_save_and_load_round_trip_gives_the_same_answers",
)


@dataclass
class DemoCase:
    recommender: Recommender
    store: EventStore
    truth: GroundTruth
    model_dir: Path


@dataclass
class TasteCase:
    recommender: Recommender
    store: EventStore
    truth: TasteTruth
    model_dir: Path


@pytest.fixture(scope="session")
def demo_recommender(each_shop, tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    """The recommender trained on the demo shop, then on the second shop."""
    store, truth = each_shop
    model_dir = tmp_path_factory.mktemp("recommender-demo") / "recommender"
    return DemoCase(Recommender.train(store, model_dir, None, DEMO_PARAMS), store, truth, model_dir)


@pytest.fixture(scope="session")
def taste(tmp_path_factory: pytest.TempPathFactory, embedder) -> TasteCase:
    """The taste shop, trained with validation-chosen context weight and real MiniLM product embeddings."""
    root = tmp_path_factory.mktemp("taste")
    store = EventStore(root / "store")
    truth = build_taste_shop(store)
    model_dir = root / "recommender"
    recommender = Recommender.train(store, model_dir, embedder, RecommenderParams(basket_epochs=4))
    return TasteCase(recommender, store, truth, model_dir)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the second shop's run of the demo-only tests."""
    drop = [item for item in items
            if getattr(item, "originalname", None) in DEMO_ONLY and item.name.endswith("[northwind]")]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item not in drop]
