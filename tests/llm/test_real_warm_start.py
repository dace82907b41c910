"""The whole agent on the real 0.5B model and its shipped adapter, with and without the warm cache: a fresh
runtime that reads the stored role prefix gives the same greedy answer as the one that computed it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.config import Settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_the_agent_answers_the_same_with_and_without_the_warm_cache(
    each_shop, tmp_path: Path, caplog
) -> None:
    from agent.graph import ShopAgent
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.load import get_runtime
    from agent.llm.runtime import LocalRuntime
    from agent.llm.warm_start import WarmStore
    from chronotope.wiring import shop_engines
    from tools.agent_tools import build_registry
    from tools.registry import Session

    store, _ = each_shop
    settings = Settings(data_dir=tmp_path, store_dir=store.root, warm_cache_dir=tmp_path / "warm",
                        model_cache_dir=REPO / ".chronotope" / "models", max_new_tokens=96)
    loaded = get_runtime(settings.model_options()).loaded  # the weights, shared with the other real tests
    user = store.connect().execute("SELECT user_id FROM orders GROUP BY 1 ORDER BY count(*) DESC "
                                   "LIMIT 1").fetchone()[0]
    session = Session("customer", user)

    def fresh_agent() -> ShopAgent:  # as a new process builds it: its own prefix cache and grammars
        runtime = LocalRuntime(loaded, warm_store=WarmStore.for_model(settings.warm_cache_path, loaded))
        return ShopAgent(LocalChatModel(runtime=runtime, max_new_tokens=96),
                         build_registry(shop_engines(settings)))

    with caplog.at_level(logging.INFO, logger="agent.llm.runtime"):
        computing = fresh_agent()
        computing.warm_up(("customer",))
        assert "Prefilling" in caplog.text and any(settings.warm_cache_path.rglob("prefix-*"))
        without = computing.ask("Show me my orders.", session)
        caplog.clear()
        reading = fresh_agent()
        reading.warm_up(("customer",))
        assert "Read the stored KV cache" in caplog.text
        with_cache = reading.ask("Show me my orders.", session)

    assert [step.name for step in without.steps] == ["my_orders"]
    assert with_cache.text == without.text
    assert ([(step.name, step.arguments) for step in with_cache.steps]
            == [(step.name, step.arguments) for step in without.steps])
