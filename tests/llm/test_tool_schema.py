"""Tool schemas from any LangChain tool kind, `tool_choice` modes, argument validation."""

from __future__ import annotations

from typing import Literal

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from agent.llm.errors import ToolChoiceError
from agent.llm.tool_schema import (
    ToolChoice,
    argument_errors,
    normalize_tool_choice,
    to_openai_tools,
    tool_names,
)


class ForecastDemand(BaseModel):
    """Forecast daily demand for one region."""

    region: str = Field(description="Region name.")
    horizon_days: int = Field(14, ge=1, le=90)


@tool
def find_spikes(day: Literal["friday", "saturday"]) -> str:
    """Regions whose orders spike on a local weekday."""
    return day


DICT_TOOL = {
    "type": "function",
    "function": {"name": "search_docs", "parameters": {"type": "object", "properties": {}}},
}


def test_pydantic_langchain_and_dict_tools_become_openai_schemas():
    tools = to_openai_tools([ForecastDemand, find_spikes, DICT_TOOL])
    assert tool_names(tools) == ["ForecastDemand", "find_spikes", "search_docs"]
    forecast = tools[0]["function"]["parameters"]
    assert forecast["required"] == ["region"] and forecast["properties"]["horizon_days"]["maximum"] == 90
    assert tools[1]["function"]["parameters"]["properties"]["day"]["enum"] == ["friday", "saturday"]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, ToolChoice("auto")),
        ("auto", ToolChoice("auto")),
        ("required", ToolChoice("required")),
        ("any", ToolChoice("required")),
        (True, ToolChoice("required")),
        ("none", ToolChoice("none")),
        ("find_spikes", ToolChoice("forced", "find_spikes")),
        ({"type": "function", "function": {"name": "find_spikes"}}, ToolChoice("forced", "find_spikes")),
    ],
)
def test_tool_choice_values_are_normalized(choice, expected):
    assert normalize_tool_choice(choice, ["find_spikes", "search_docs"]) == expected


def test_unknown_tool_choice_lists_valid_choices():
    with pytest.raises(ToolChoiceError) as raised:
        normalize_tool_choice("drop_tables", ["find_spikes"])
    assert "auto, required, none" in str(raised.value) and "find_spikes" in str(raised.value)


def test_argument_errors_point_at_the_bad_field():
    tools = to_openai_tools([ForecastDemand])
    assert argument_errors("ForecastDemand", {"region": "north", "horizon_days": 7}, tools) == []
    (error,) = argument_errors("ForecastDemand", {"region": "north", "horizon_days": 500}, tools)
    assert error.startswith("horizon_days:")
    assert argument_errors("ForecastDemand", {}, tools) == ["(arguments): 'region' is a required property"]
    assert "Available tools: ForecastDemand" in argument_errors("nope", {}, tools)[0]


def test_argument_errors_apply_grammar_only_enums():
    from tools.registry import GRAMMAR_ENUM

    tools = [{"type": "function", "function": {"name": "t", "parameters": {
        "type": "object", "properties": {"place": {"type": "string", GRAMMAR_ENUM: ["Lyon"]}}}}}]
    assert argument_errors("t", {"place": "Lyon"}, tools) == []
    assert "is not one of" in argument_errors("t", {"place": "Atlantis"}, tools)[0]


@pytest.mark.parametrize("shop", ["demo", "northwind"])
def test_a_shop_without_categories_gives_the_grammar_no_category_and_the_prompt_is_unchanged(
        shop, tiny_runtime):
    """A shop whose export has no categories (Northwind, UCI retail): the model had written places and "all"
    as the category, and every such call failed with "Valid category values: ."."""
    from agent.llm.tool_schema import grammar_schema, prompt_tools
    from tests.shops import NORTHWIND
    from tools.agent_tools import build_registry
    from tools.events.simulate.profile import demo_profile

    profile = demo_profile() if shop == "demo" else NORTHWIND
    tools = {t["function"]["name"]: t for t in build_registry(None, profile=profile).schemas("operator")}
    for name in ("top_items", "forecast_demand"):
        category = grammar_schema(tools[name]["function"]["parameters"])["properties"]["category"]
        shown = prompt_tools([tools[name]])[0]["function"]["parameters"]["properties"]["category"]
        if profile.categories:
            assert category["anyOf"][0]["enum"] == list(profile.categories)
            assert shown["anyOf"][0]["enum"] == list(profile.categories)
        else:
            assert category["anyOf"] == [{"type": "null"}]
            assert shown["anyOf"] == [{"type": "string"}, {"type": "null"}]
    forced = ToolChoice("forced", "forecast_demand")
    grammar = tiny_runtime.grammars.compile([tools["forecast_demand"]], forced, per_turn=True)
    place = next(p.name for p in profile.places if p.level == "country")

    def accepts(arguments: str) -> bool:
        import xgrammar as xgr

        matcher = xgr.GrammarMatcher(grammar)
        call = '<tool_call>\n{"name": "forecast_demand", "arguments": ' + arguments + "}\n</tool_call>"
        return matcher.accept_string(call) and matcher.accept_token(tiny_runtime.stop_token_ids[0])

    assert accepts('{"category": null, "place": "' + place + '"}')
    assert accepts('{"category": "' + place + '"}') is False
    if profile.categories:
        assert accepts('{"category": "' + profile.categories[0] + '"}')
