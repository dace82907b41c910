"""Trained recommenders shared by the area's tests: one on the demo shop, one on the taste shop."""

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
def demo_recommender(demo_shop, tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    store, truth = demo_shop
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
