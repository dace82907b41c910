"""A follow-up keeps the span the turns it leans on asked for (agent/llm/turn_values._spanned): "et pour
toute la boutique ?" after next week's forecast for one region had been forecast over 28 days, on both
shops; a question that stands on its own, or names its own span, is not held to it."""

from __future__ import annotations

import pytest

from agent.llm.mentions import Mentions
from agent.llm.turn_values import narrowed_tools
from tests.llm.test_named_tools import USA
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile


def horizon(profile, question: str, earlier: str) -> tuple[dict, bool]:
    tools = narrowed_tools(build_registry(None, profile=profile).schemas("operator"),
                           Mentions(question, earlier, question, earlier))
    (params,) = [t["function"]["parameters"] for t in tools if t["function"]["name"] == "forecast_demand"]
    return params["properties"]["horizon_days"], "horizon_days" in params.get("required", [])


@pytest.mark.parametrize("profile, place", [(demo_profile(), "Catalonia"), (USA, "Oregon")])
def test_a_follow_up_keeps_the_span_of_the_forecast_it_leans_on(profile, place) -> None:
    earlier = (f"Tu peux me faire une prévision des ventes en {place} pour la semaine prochaine ?\n"
               f'{{"place": "{place}", "horizon_days": 7}}\nExpect 514 units over the next 7 days')
    for follow_up in ("et pour toute la boutique ?", "und insgesamt?", "and overall?"):
        prop, required = horizon(profile, follow_up, earlier)
        assert prop.get("enum") == [7] and required, follow_up
    prop, required = horizon(profile, "and for the next 3 weeks overall?", earlier)
    assert prop.get("enum") == [21] and required  # its own span wins
    prop, required = horizon(profile, "Forecast demand for the whole shop, please.", earlier)
    assert "enum" not in prop and not required  # a question on its own: any span
