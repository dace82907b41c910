"""An id the user's words give (an order's, a customer's) is the call's id, on either shop: asked "when
will my order O999999999 arrive?", the model listed every order, and the answer never said that one is not
theirs."""

from __future__ import annotations

import pytest

from agent.llm.mentions import Mentions
from agent.llm.turn_values import narrowed_tools
from tools.agent_tools import build_registry
from tools.events.profile import Place, ShopProfile
from tools.events.simulate.profile import demo_profile

USA = ShopProfile(currency="USD",
                  places=(Place("country", "United States", "US", "America/New_York", code="US"),))


def _parameters(tools: list[dict], name: str, question: str) -> dict:
    (tool,) = [t for t in narrowed_tools(tools, Mentions(question, "", question, ""))
               if t["function"]["name"] == name]
    return tool["function"]["parameters"]


@pytest.mark.parametrize("profile", [demo_profile(), USA])
def test_an_id_in_the_users_words_is_the_calls_id_on_either_shop(profile) -> None:
    registry = build_registry(None, profile=profile)
    customer, operator = registry.schemas("customer"), registry.schemas("operator")
    orders = _parameters(customer, "my_orders", "This is the third time I ask: when will O999999999 arrive?")
    assert orders["properties"]["order_id"]["enum"] == ["O999999999"] and "order_id" in orders["required"]
    free = _parameters(customer, "my_orders", "when will my last order arrive?")
    assert "enum" not in str(free["properties"]["order_id"]) and "order_id" not in free.get("required", [])
    both = _parameters(customer, "my_orders", "Sind O0001 und O0002 schon unterwegs? Und O0001?")
    assert both["properties"]["order_id"]["enum"] == ["O0001", "O0002"]
    recommend = _parameters(operator, "recommend", "What should I recommend to customer U000017?")
    assert recommend["properties"]["user_id"]["enum"] == ["U000017"] and "user_id" in recommend["required"]
    anyone = _parameters(operator, "recommend", "bestsellers for XU12?")
    assert "enum" not in str(anyone["properties"]["user_id"])
