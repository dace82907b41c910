"""A word of the questions' own vocabulary is no typo of a shop's name, on either shop: "Prévision des ventes
pour Lyon" forecast the jackets category, "ventes" (sales) being one letter from its alias "vestes"."""

from __future__ import annotations

import pytest

from agent.llm.mentions import Mentions
from agent.llm.turn_values import narrowed_tools
from tools.agent_tools import build_registry
from tools.events.profile import ShopProfile
from tools.events.simulate.profile import demo_profile

SECOND = ShopProfile(currency="USD", categories=("Jackets", "Packs"),
                     category_aliases={"Jackets": ("vestes", "veste")})


@pytest.mark.parametrize("profile", [demo_profile(), SECOND], ids=["demo", "second"])
def test_a_choice_word_is_no_typo_of_a_category_alias(profile) -> None:
    tools = build_registry(None, profile=profile).schemas("operator")

    def category(question: str) -> dict:
        narrowed = narrowed_tools(tools, Mentions(question, "", question, ""))
        (params,) = [t["function"]["parameters"] for t in narrowed
                     if t["function"]["name"] == "forecast_demand"]
        return params["properties"]["category"], params.get("required", [])

    options, required = category("Prévision des ventes sur deux semaines")
    assert "category" not in required and "vestes" not in str(options).lower()
    _, required = category("Prévision des vestse sur deux semaines")  # a real typo of the alias still counts
    assert "category" in required
