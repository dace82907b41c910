"""Shared fixtures. Tests run offline: nothing may reach a model hub."""

from __future__ import annotations

import os
from pathlib import Path

for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)
# One warm-start store for the whole run (agent/llm/warm_start.py; keyed by model, adapter and prompt): tests
# with their own data dir would otherwise each keep a merged copy of the model (~2.4 GB) in it.
os.environ.setdefault("CHRONOTOPE_WARM_CACHE_DIR",
                      str(Path(__file__).resolve().parents[1] / ".chronotope" / "warm"))

import pytest

from agent.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# The int8 embedding model is built once into the repo's model cache and shared by every test run.
MODEL_CACHE = REPO / ".chronotope" / "models"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose every path lives in a fresh temporary data dir."""
    return Settings(data_dir=tmp_path / "chronotope", shared_data_dir=SHARED_DATA)


@pytest.fixture(scope="session")
def embedder():
    """The project's text embedder (int8 MiniLM) over the shared model cache."""
    from tools.embeddings import TextEmbedder

    return TextEmbedder(MODEL_CACHE)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data sets beside the project (../shared/data)."""
    if not SHARED_DATA.exists():
        pytest.fail(f"Real data sets not found at {SHARED_DATA}; tests expect ../shared/data beside the "
                    "project.")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_shop(tmp_path_factory: pytest.TempPathFactory):
    """The test-sized demo shop (DemoConfig.small()), built once per session: (EventStore, GroundTruth)."""
    from tools.events.simulate import DemoConfig, build_demo_shop
    from tools.events.store import EventStore

    store = EventStore(tmp_path_factory.mktemp("demo") / "store")
    truth = build_demo_shop(store, DemoConfig.small(), progress=False)
    return store, truth


@pytest.fixture(scope="session")
def second_shop_build(tmp_path_factory: pytest.TempPathFactory):
    """Northwind (tests/shops.py) generated, exported as an awkward CSV and ingested with flags, built once
    per session: tests.second_shop.SecondShop (store, generated store, truth, export path)."""
    from tests.second_shop import build_second_shop

    return build_second_shop(tmp_path_factory.mktemp("northwind"))


@pytest.fixture(scope="session")
def second_shop(second_shop_build):
    """The second shop as (EventStore, GroundTruth), like `demo_shop`: US, India and Australia, in USD."""
    return second_shop_build.store, second_shop_build.truth


@pytest.fixture(scope="session", params=["demo", "northwind"])
def each_shop(request: pytest.FixtureRequest):
    """The demo shop, then the second shop: a test that takes it runs on both."""
    return request.getfixturevalue("demo_shop" if request.param == "demo" else "second_shop")


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (Debian's binaries, a throw-away cluster on 127.0.0.1) for the sync tests."""
    from tests.postgres_server import postgres_server

    with postgres_server() as server:
        yield server
