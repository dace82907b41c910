"""A metric per day, week or month ("revenue per month this year"): the user's words pick the grain, the
prompt never lists it, and the answer names the weeks or months the period cuts short. On each test shop."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.llm.mentions import Mentions
from agent.llm.tool_schema import grammar_schema, prompt_tools
from agent.llm.turn_values import narrowed_tools
from tests.shops import NORTHWIND
from tools.agent_tools import ShopEngines, build_registry
from tools.events.simulate.profile import demo_profile
from tools.registry import Session

PER_MONTH = ["show me revenue per month this year", "Umsatz pro Monat dieses Jahr?",
             "chiffre d'affaires par mois cette année", "ingresos por mes este año",
             "fatturato mensile quest'anno"]


@pytest.mark.parametrize("profile", [demo_profile(), NORTHWIND], ids=["demo", "northwind"])
def test_the_users_words_pick_the_grain_which_the_prompt_never_lists(profile) -> None:
    tools = build_registry(None, profile=profile).schemas("operator")
    (shown,) = [t for t in prompt_tools(tools) if t["function"]["name"] == "top_items"]
    shown_groups = shown["function"]["parameters"]["properties"]["group_by"]["enum"]
    assert {"day", "week", "month"}.isdisjoint(shown_groups)

    def top_items(question: str) -> dict:
        narrowed = narrowed_tools(tools, Mentions(question, "", question, ""))
        return next(t["function"]["parameters"] for t in narrowed if t["function"]["name"] == "top_items")

    for question, grain in [*((q, "month") for q in PER_MONTH), ("commandes par semaine ce mois-ci", "week"),
                            ("daily orders over the last 30 days", "day")]:
        assert grammar_schema(top_items(question))["properties"]["group_by"]["enum"] == [grain], question
        assert "group_by" in top_items(question)["required"], question
    weekday = "Which day of the week has the most orders?"
    assert grammar_schema(top_items(weekday))["properties"]["group_by"]["enum"] == ["day_of_week"]


@pytest.fixture(params=["demo_shop", "second_shop"])
def registry(request: pytest.FixtureRequest, embedder, tmp_path_factory: pytest.TempPathFactory):
    store, _ = request.getfixturevalue(request.param)
    return build_registry(ShopEngines(
        store=store, embedder=embedder, anomaly_dir=tmp_path_factory.mktemp("anomaly"),
        open_knowledge_base=lambda: pytest.fail("not used"),
        open_recommender=lambda: pytest.fail("not used")))


def test_a_series_per_week_has_every_week_in_time_order_and_a_chart(registry) -> None:
    out = registry.call("top_items", {"metric": "orders", "group_by": "week", "period": "last_30_days",
                                      "top_k": 2}, Session("operator"))
    weeks = list(pd.to_datetime(out.frame["week"]))
    assert len(weeks) >= 5 and weeks == sorted(weeks)  # 30 days touch 5 weeks or more: none cut by top_k
    assert out.frame["orders"].sum() == registry.call(
        "top_items", {"metric": "orders", "group_by": "country", "period": "last_30_days", "top_k": 50},
        Session("operator")).frame["orders"].sum()
    assert out.chart is not None and out.chart.kind == "series"


def test_the_months_a_period_cuts_short_are_named_with_the_day_it_starts_or_ends(registry) -> None:
    """"lowest 2026-12 24,144.65" read as the worst month of the year when December had six days."""
    out = registry.call("top_items", {"metric": "orders", "group_by": "month", "period": "last_90_days"},
                        Session("operator"))
    start, end = (pd.Timestamp(day).date() for day in out.summary.split(", ")[1].split(":")[0].split(" to "))
    months = list(pd.to_datetime(out.frame["month"]))
    assert len(months) in (3, 4)  # every month is named: the three highest and the lowest
    first, last = months[0], months[-1]
    cut_start = f"{first:%Y-%m} (from {start})"
    cut_end = f"{last:%Y-%m} (to {end})"
    assert (cut_start in out.summary) == (first.date() < start)
    assert (cut_end in out.summary) == ((last + pd.offsets.MonthEnd(0)).date() > end)
    assert first.date() < start or (last + pd.offsets.MonthEnd(0)).date() > end  # 90 days: one at least
