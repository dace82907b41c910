"""What a question asks, apart from its language: the intent, the tool call it needs, the slot values to
phrase it with and the tool's result text.

`operator_call` and `customer_call` draw one at random over a shop's facts; `follow_up` turns one into the
call a second question that refers to it needs ("and in Tyrol?"); `render` phrases a call in a language.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from typing import Any

from finetune.synth.facts import ShopFacts
from finetune.synth.phrasing import Phrasing

RANK_METRICS = ("revenue", "revenue", "orders", "units", "conversion_rate", "average_order_value", "refunds")
PERIODS = (
    "all_time",
    "all_time",
    "last_90_days",
    "last_30_days",
    "last_7_days",
    "this_month",
    "last_month",
    "this_week",
    "last_week",
    "today",
    "yesterday",
    "this_year",
    "last_year",
)
SPIKE_WINDOWS = ((20, 24, "night"), (21, 24, "night"), (18, 22, "evening"), (8, 12, "morning"))
SPIKE_DAYS = ("Friday", "Friday", "Saturday", "Sunday", "Thursday", "Monday")


@dataclass(frozen=True)
class Call:
    """One question's meaning: the template family, the tool and arguments, and the slots to phrase it."""

    intent: str
    tool: str
    args: dict[str, Any]
    slots: dict[str, Any] = field(default_factory=dict)  # language-neutral: enum keys, names, numbers


def place(rng: random.Random, facts: ShopFacts, *levels: str) -> tuple[str, str]:
    """(level, name) of a place of the shop at one of `levels` (default: regions twice as often)."""
    levels = levels or ("region", "region", "city", "country")
    level = rng.choice([lv for lv in levels if facts.places.get(lv)] or list(facts.places))
    return level, rng.choice(facts.places[level])


def _maybe_place(
    rng: random.Random, facts: ShopFacts, args: dict[str, Any], slots: dict[str, Any], chance: float
) -> None:
    if rng.random() < chance:
        slots["where"] = place(rng, facts)
        args["place"] = slots["where"][1]


def operator_call(rng: random.Random, facts: ShopFacts) -> Call:
    """An operator's question for one of the operator tools."""
    kind = rng.choice(
        [
            "spikes",
            "compare",
            "compare_drop",
            "rank",
            "rank",
            "rank_low",
            "hours",
            "forecast",
            "forecast_product",
            "reorder",
            "anomalies",
            "anomalies_volume",
            "anomalies_complaints",
            "fraud",
            "rec_user",
            "rec_product",
            "docs",
        ]
    )
    args: dict[str, Any] = {}
    slots: dict[str, Any] = {}
    if kind == "spikes":
        start, end, part = rng.choice(SPIKE_WINDOWS)
        day = rng.choice(SPIKE_DAYS)
        group = rng.choice(["region", "region", "city", "country", "category"])
        args = {"day": day, "start_hour": start, "end_hour": end, "group_by": group}
        slots = {"day": day, "part": part, "start": start, "end": end, "group": group}
        return Call(kind, "find_spikes", args, slots)
    if kind in ("compare", "compare_drop"):
        comparison = rng.choice(["week_over_week", "month_over_month", "year_over_year"])
        metric, group = (
            rng.choice(RANK_METRICS),
            rng.choice(["region", "country", "category", "city", "product"]),
        )
        args = {"metric": metric, "comparison": comparison, "group_by": group}
        if kind == "compare_drop":
            args["order"] = "biggest_drop"
        slots = {"metric": metric, "cmp": comparison, "group": group}
        _maybe_place(rng, facts, args, slots, 0.3 if group in ("category", "product", "city") else 0.0)
        return Call(kind, "compare_periods", args, slots)
    if kind in ("rank", "rank_low", "hours"):
        metric = rng.choice(RANK_METRICS)
        group = (
            rng.choice(["hour_of_day", "day_of_week"])
            if kind == "hours"
            else rng.choice(["product", "category", "region", "city", "country"])
        )
        args = {"metric": metric, "group_by": group}
        slots = {"metric": metric, "group": group, "period": None}
        if rng.random() < 0.75:
            args["period"] = slots["period"] = rng.choice(PERIODS)
        _maybe_place(rng, facts, args, slots, 0.35 if group not in ("region", "country") else 0.1)
        if kind == "rank_low":
            args["order"] = "lowest"
        return Call(kind, "top_items", args, slots)
    if kind in ("forecast", "forecast_product"):
        horizon = rng.choice([7, 14, 28, 30])
        args = {"horizon_days": horizon}
        if kind == "forecast":
            args["category"] = rng.choice(facts.categories)
            slots = {"cat": args["category"], "when": horizon}
        else:
            pid, name, _ = rng.choice(facts.products)
            args["product"] = rng.choice([pid, name])
            slots = {"product": args["product"], "when": horizon}
        _maybe_place(rng, facts, args, slots, 0.6)
        return Call(kind, "forecast_demand", args, slots)
    if kind == "reorder":
        pid = rng.choice(facts.products)[0]
        stock, lead = rng.randint(0, 400), rng.choice([5, 7, 10, 14, 21])
        return Call(
            kind,
            "reorder_advice",
            {"product": pid, "stock_on_hand": stock, "lead_time_days": lead},
            {"pid": pid, "stock": stock, "lead": lead},
        )
    if kind.startswith("anomalies"):
        since = rng.choice(["24h", "7d", "30d", "90d"])
        focus = {"anomalies": "all", "anomalies_volume": "volume", "anomalies_complaints": "complaints"}[kind]
        args, slots = {"since": since, "kind": focus}, {"since": since}
        _maybe_place(rng, facts, args, slots, 0.3 if kind == "anomalies" else 0.0)
        return Call(kind, "detect_anomalies", args, slots)
    if kind == "fraud":
        since = rng.choice(["24h", "7d", "30d", "90d"])
        return Call(kind, "detect_fraud", {"since": since}, {"since": since})
    if kind == "rec_user":
        uid = rng.choice(facts.users)
        return Call(kind, "recommend", {"user_id": uid}, {"uid": uid})
    if kind == "rec_product":
        pid, name, _ = rng.choice(facts.products)
        return Call(kind, "recommend", {"product": pid}, {"pid": pid, "product": pid})
    return docs_call(rng)


def docs_call(rng: random.Random) -> Call:
    """A question about the shop's policies (its query is the question's own words, set by `render`)."""
    topic = rng.choice(["returns", "shipping", "warranty", "payment", "account", "care"])
    return Call("docs", "search_docs", {}, {"topic": topic})


def customer_call(rng: random.Random, facts: ShopFacts) -> Call:
    """A customer's question for one of the customer tools."""
    kind = rng.choice(
        [
            "docs",
            "docs",
            "orders",
            "orders_status",
            "order_id",
            "products",
            "products_price",
            "recs",
            "recs_product",
        ]
    )
    if kind == "docs":
        return docs_call(rng)
    if kind == "orders":
        return Call(kind, "my_orders", {})
    if kind == "orders_status":
        status = rng.choice(["shipped", "delivered", "returned", "cancelled", "placed"])
        return Call(kind, "my_orders", {"status": status}, {"status": status})
    if kind == "order_id":
        oid = f"O{rng.randint(1, 9999999):07d}"
        return Call(kind, "my_orders", {"order_id": oid}, {"oid": oid})
    if kind in ("products", "products_price"):
        cat = rng.choice(facts.categories)
        args: dict[str, Any] = {"query": cat.lower(), "category": cat}
        slots: dict[str, Any] = {"cat": cat.lower()}
        if kind == "products_price":
            args["max_price"] = float(rng.choice([20, 50, 100, 150, 300]))
            slots |= {"price": int(args["max_price"]), "cur": facts.currency}
        return Call(kind, "search_products", args, slots)
    if kind == "recs_product":
        name = rng.choice(facts.products)[1]
        return Call(kind, "my_recommendations", {"product": name}, {"product": name})
    return Call("recs", "my_recommendations", {})


def matches(facts: ShopFacts, query: str) -> list[tuple[str, str, str]]:
    """The catalogue's first products of category `query` (any products when none is), as a search lists."""
    return ([p for p in facts.products if p[2].lower() == query] or facts.products)[:3]


def follow_up(call: Call, rng: random.Random, facts: ShopFacts) -> tuple[str, Call] | None:
    """(kind, call) of a second question that only makes sense after `call`'s, or None when none fits."""
    args, slots = dict(call.args), dict(call.slots)
    options = {
        "top_items": ["place", "period", "metric"],
        "compare_periods": ["metric", "place"],
        "forecast_demand": ["place", "horizon"],
        "detect_anomalies": ["place"],
        "my_orders": ["status"],
        "search_products": ["cheaper", "goes_with"],
        "search_docs": ["topic"],
    }.get(call.tool)
    if not options:
        return None
    kind = rng.choice(options)
    if kind == "place":
        if call.tool == "compare_periods" and args["group_by"] in ("region", "country"):
            args["group_by"] = slots["group"] = "city"
        level, name = place(rng, facts)
        if name == args.get("place"):
            return None
        args["place"], slots["where"] = name, (level, name)
    elif kind == "period":
        args["period"] = slots["period"] = rng.choice([p for p in PERIODS if p != args.get("period")])
    elif kind == "metric":
        args["metric"] = slots["metric"] = rng.choice([m for m in RANK_METRICS if m != args["metric"]])
    elif kind == "horizon":
        args["horizon_days"] = slots["when"] = rng.choice(
            [h for h in (7, 14, 28, 30) if h != args["horizon_days"]]
        )
    elif kind == "status":
        args["status"] = slots["status"] = rng.choice(
            [s for s in ("shipped", "delivered", "returned", "cancelled") if s != args.get("status")]
        )
        args.pop("order_id", None)
    elif kind == "cheaper":
        args["max_price"] = float(rng.choice([10, 25, 40]))
        slots |= {"price": int(args["max_price"]), "cur": facts.currency}
    elif kind == "goes_with":
        name = matches(facts, args["query"])[0][1]
        return kind, Call("recs_product", "my_recommendations", {"product": name}, {"product": name})
    else:
        slots["topic"] = rng.choice(
            [t for t in ("returns", "shipping", "warranty", "payment") if t != slots["topic"]]
        )
    return kind, replace(call, args=args, slots=slots)


def _words(slots: dict[str, Any], words: Phrasing, rng: random.Random) -> dict[str, Any]:
    """The slots in `words`' language."""
    filled = {k: v for k, v in slots.items() if k not in ("where", "period", "since", "cmp", "topic")}
    if "metric" in slots:
        filled["metric"] = words.metrics[slots["metric"]]
    if "group" in slots:
        filled["group"], filled["groups"] = words.groups[slots["group"]]
    if "day" in slots:
        filled["day"], filled["part"] = words.days[slots["day"]], words.parts[slots["part"]]
    if "when" in slots:
        filled["when"] = words.horizons[slots["when"]]
    if "status" in slots:
        filled["status"] = words.statuses[slots["status"]]
    filled["where"] = words.where(*slots["where"]) if slots.get("where") else ""
    filled["period"] = (
        rng.choice(words.periods[slots["period"]]).format(year=rng.randint(2015, 2024))
        if slots.get("period")
        else ""
    )
    if "since" in slots:
        filled["since"] = rng.choice(words.since[slots["since"]])
    if "cmp" in slots:
        filled["cmp"] = rng.choice(words.comparisons[slots["cmp"]])
    if "topic" in slots:
        filled["topic"] = rng.choice(words.topics[slots["topic"]])
    return filled


def tidy(text: str, words: Phrasing) -> str:
    """One space between words, none before punctuation (French keeps its space before ? and !)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.])", r"\1", text)
    return text if words.code == "fr" else re.sub(r"\s+([?!])", r"\1", text)


def render(template: str, call: Call, words: Phrasing, rng: random.Random) -> str:
    """`template` filled with `call`'s slots in `words`' language."""
    text = tidy(template.format(**_words(call.slots, words, rng)), words)
    return text[0].upper() + text[1:] if template[0].isupper() else text
