"""Dependent plans: one question whose second step needs what the first step found.

"Forecast the region that spikes most on Friday night" runs `find_spikes` first; its result names a region,
and the second call forecasts exactly that region. `operator_plan` and `customer_plan` draw such a plan over
a shop's facts: the finding call, the value its result names (leading a ranking, as the real tools' summaries
do), that result's text (as a one-step question's result reads: results.py), and the dependent call
carrying the value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from finetune.synth.facts import ShopFacts
from finetune.synth.intents import PERIODS, SPIKE_DAYS, SPIKE_WINDOWS, Call, matches
from finetune.synth.results import leading_names, ranking_result

_HORIZONS = (7, 14, 28, 30)
_PLAN_METRICS = ("revenue", "orders", "units")  # what a ranking that picks a place is by
_PLACE_GROUPS = ("region", "region", "city", "country")
OPERATOR_PLANS = (
    "plan_spike_forecast",
    "plan_spike_top",
    "plan_rank_forecast",
    "plan_rank_recommend",
    "plan_drop_forecast",
)
CUSTOMER_PLANS = ("plan_order_recs", "plan_order_return", "plan_search_recs")


@dataclass(frozen=True)
class Plan:
    """A question's two steps: the finding call, what its result says, and the call that uses its finding.

    `question` carries the slots of both steps, for the templates of `intent` (in `Phrasing.templates`)."""

    question: Call
    first: Call
    found: str  # the value the first result leads with, carried by `second`
    first_result: str
    second: Call


def _group(rng: random.Random, facts: ShopFacts, groups: tuple[str, ...]) -> str:
    """One of `groups` the shop has (categories always; a place level only where it has places)."""
    return rng.choice([g for g in groups if g == "category" or facts.places.get(g)])


def _forecast(found: str, group: str, horizon: int) -> Call:
    key = "category" if group == "category" else "place"
    return Call("forecast", "forecast_demand", {key: found, "horizon_days": horizon})


def operator_plan(rng: random.Random, facts: ShopFacts) -> Plan:
    """An operator's two-step question: find a place, category or product, then act on the one found."""
    intent = rng.choice(OPERATOR_PLANS)
    slots: dict[str, Any] = {}
    if intent in ("plan_spike_forecast", "plan_spike_top"):
        groups = ("region", "region", "city", "country", "category")
        group = _group(rng, facts, groups if intent == "plan_spike_forecast" else _PLACE_GROUPS)
        start, end, part = rng.choice(SPIKE_WINDOWS)
        day = rng.choice(SPIKE_DAYS)
        first = Call("spikes", "find_spikes",
                     {"day": day, "start_hour": start, "end_hour": end, "group_by": group})
        slots = {"day": day, "part": part, "start": start, "end": end, "group": group}
        names = leading_names(rng, facts, group)
        result = ranking_result(first.tool, first.args, names, rng)
        if intent == "plan_spike_forecast":
            slots["when"] = rng.choice(_HORIZONS)
            second = _forecast(names[0], group, slots["when"])
        else:
            slots["metric"] = rng.choice(_PLAN_METRICS)
            second = Call("rank", "top_items", {"metric": slots["metric"], "group_by": "product",
                                                "place": names[0]})
    elif intent in ("plan_rank_forecast", "plan_rank_recommend"):
        group = "product" if intent == "plan_rank_recommend" else _group(
            rng, facts, ("region", "city", "country", "category", "category"))
        slots = {"metric": rng.choice(_PLAN_METRICS), "group": group,
                 "period": rng.choice(PERIODS)}
        first = Call("rank", "top_items", {"metric": slots["metric"], "group_by": group,
                                           "period": slots["period"]})
        names = leading_names(rng, facts, group)
        if group == "product":
            second = Call("rec_product", "recommend", {"product": names[0]})
        else:
            slots["when"] = rng.choice(_HORIZONS)
            second = _forecast(names[0], group, slots["when"])
        result = ranking_result(first.tool, first.args, names, rng)
    else:
        group = _group(rng, facts, ("category", "category", "region", "country"))
        comparison = rng.choice(("week_over_week", "month_over_month", "year_over_year"))
        slots = {"metric": rng.choice(_PLAN_METRICS), "cmp": comparison, "group": group,
                 "when": rng.choice(_HORIZONS)}
        first = Call("compare_drop", "compare_periods",
                     {"metric": slots["metric"], "comparison": comparison, "group_by": group,
                      "order": "biggest_drop"})
        names = leading_names(rng, facts, group)
        result = ranking_result(first.tool, first.args, names, rng)
        second = _forecast(names[0], group, slots["when"])
    return Plan(Call(intent, first.tool, first.args, slots), first, names[0], result, second)


def customer_plan(rng: random.Random, facts: ShopFacts) -> Plan:
    """A customer's two-step question: look up their order or a product, then act on the one found."""
    intent, cur = rng.choice(CUSTOMER_PLANS), facts.currency
    if intent == "plan_search_recs":
        cat = rng.choice(facts.categories)
        first = Call("products", "search_products", {"query": cat.lower(), "category": cat},
                     {"cat": cat.lower()})
        found = matches(facts, cat.lower())
        listed = "; ".join(f"{name} ({pid}, {rng.randint(9, 99)}.99 {cur})" for pid, name, _ in found)
        result = f'{len(found)} products for "{cat.lower()}": {listed}.'
        name = found[0][1]
        return Plan(Call(intent, first.tool, first.args, first.slots), first, name, result,
                    Call("recs_product", "my_recommendations", {"product": name}))
    first = Call("orders", "my_orders", {})
    _, name, _ = rng.choice(facts.products)
    city = rng.choice(facts.places.get("city") or facts.places["region"])
    status = rng.choice(("shipped", "delivered", "delivered", "placed"))
    result = (f"{rng.randint(1, 4)} order(s): O{rng.randint(1, 9_999_999):07d} placed "
              f"{rng.randint(1, 28):02d} {rng.choice(('Sep', 'Oct', 'Nov'))} 2026: {status}, "
              f"{rng.randint(9, 300)}.90 {cur} (1 x {name}) to {city}")
    second = (Call("recs_product", "my_recommendations", {"product": name}) if intent == "plan_order_recs"
              else Call("docs", "search_docs", {}))  # its query is the question's own words
    return Plan(Call(intent, first.tool, first.args, {}), first, name, result, second)
