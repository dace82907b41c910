"""Tools the adapter never saw are answered by the bare model; the adapter's own tools keep the adapter."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from agent.llm.decision_head import ANSWER, DecisionHead, DecisionHeads
from agent.llm.unseen_tools import UnseenToolsFallback, trained_tools, unseen_tools_fallback

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "finetune" / "adapters" / "qwen2.5-coder-0.5b-shop"


def _tool(name: str) -> dict:
    return {"type": "function", "function": {"name": name, "description": f"{name} things.", "parameters": {
        "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}


def _save_heads(folder: Path, *tool_sets: tuple[str, ...]) -> Path:
    import torch

    heads = tuple(DecisionHead(1, (*tools, ANSWER), torch.zeros(len(tools) + 1, 8),
                               torch.zeros(len(tools) + 1)) for tools in tool_sets)
    DecisionHeads(heads, {}).save(folder)
    return folder


@pytest.mark.parametrize("profile_name", ["demo", "northwind"])
def test_the_shipped_adapter_was_trained_on_every_tool_of_both_roles_on_any_shop(profile_name):
    from tests.shops import NORTHWIND
    from tools.agent_tools import build_registry
    from tools.events.simulate.profile import demo_profile

    registry = build_registry(None, profile=demo_profile() if profile_name == "demo" else NORTHWIND)
    trained = trained_tools(str(SHIPPED))
    assert trained is not None
    for role in ("customer", "operator"):
        names = {schema["function"]["name"] for schema in registry.schemas(role)}
        assert names <= trained, f"{role} tools the adapter never saw: {names - trained}"


def test_the_fallback_names_the_trained_tools_and_the_bare_options(tiny_options, tmp_path):
    adapter = _save_heads(tmp_path, ("my_orders", "search_docs"), ("top_items", "search_docs"))
    fallback = unseen_tools_fallback(replace(tiny_options, adapter=str(adapter)))

    assert fallback is not None
    assert fallback.trained == {"my_orders", "search_docs", "top_items"}
    assert fallback.bare == tiny_options  # the same model and decoding, without the adapter
    assert fallback.adapter == str(adapter)
    assert fallback.unseen(["my_orders", "top_items"]) == set()  # any mix of trained tools keeps the adapter
    assert fallback.unseen(["my_orders", "get_weather"]) == {"get_weather"}


def test_the_first_reply_with_unseen_tools_says_which_and_how_to_train_them_once(tiny_options, caplog):
    fallback = UnseenToolsFallback(frozenset({"search_docs"}), tiny_options, "shop-adapter")
    with caplog.at_level("WARNING", logger="agent.llm.unseen_tools"):
        assert fallback.runtime_for(["search_docs"]) is None
        assert fallback.runtime_for(["search_docs", "get_weather"]) is not None
        fallback.runtime_for(["get_weather", "search_docs"])
    (said,) = caplog.messages
    assert "shop-adapter was not trained on get_weather" in said and "finetune heads" in said


def test_no_fallback_without_an_adapter_or_without_heads_to_say_what_it_knows(tiny_options, tmp_path):
    assert unseen_tools_fallback(tiny_options) is None
    assert unseen_tools_fallback(replace(tiny_options, adapter=str(tmp_path))) is None


def test_replies_with_an_unseen_tool_bound_come_from_the_bare_runtime(tiny_runtime, tiny_options):
    from agent.llm.chat_model import LocalChatModel
    from agent.llm.load import get_runtime

    bare = get_runtime(tiny_options, progress=False)
    assert bare is not tiny_runtime  # tiny_runtime stands in for the adapted model
    chat = LocalChatModel(runtime=tiny_runtime, max_new_tokens=4,
                          unseen_tools=UnseenToolsFallback(frozenset({"search_docs"}), tiny_options))
    question = [HumanMessage("Where is my parcel?")]

    bare.prefix_cache.clear()
    chat.bind_tools([_tool("search_docs")]).invoke(question)
    assert len(tiny_runtime.prefix_cache) == 1 and len(bare.prefix_cache) == 0

    chat.bind_tools([_tool("search_docs"), _tool("track_parcel")]).invoke(question)
    assert len(tiny_runtime.prefix_cache) == 1 and len(bare.prefix_cache) == 1
