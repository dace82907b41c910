"""Fixtures of the anomaly tests: one small planted shop per session (built in about a second)."""

from __future__ import annotations

import pytest

from tests.anomaly.shop import PlantedShop, build_planted_shop


@pytest.fixture(scope="session")
def planted_shop(tmp_path_factory: pytest.TempPathFactory) -> PlantedShop:
    """The small shop of tests/anomaly/shop.py, with its ground truth."""
    return build_planted_shop(tmp_path_factory.mktemp("planted_shop") / "store")
