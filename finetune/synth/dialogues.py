"""Synthetic dialogues in the shop's five languages and the styles people ask in, on one shop or many.

Each dialogue is what the agent should do: the user's question, the right tool call (validated against the
tool's schema and the shop's closed sets: its categories and places), the tool's result as the data block
the agent sends, and a grounded answer. Both roles; chit-chat, out-of-scope questions, refusals and
injections (a passage giving orders, which the answer ignores); multi-part questions (two calls),
follow-ups (a second question that only makes sense after the first) and dependent plans (one question whose
second call uses what the first call's result names, finetune/synth/plans.py). A dialogue's id carries its
language and style (`dialogue_tags`).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from agent.roles import system_prompt
from finetune.data import Dialogue
from finetune.synth.facts import ShopFacts
from finetune.synth.intents import Call, customer_call, docs_call, follow_up, operator_call, place, render
from finetune.synth.phrasing import Phrasing
from finetune.synth.phrasing_de import DE
from finetune.synth.phrasing_en import EN
from finetune.synth.phrasing_es import ES
from finetune.synth.phrasing_fr import FR
from finetune.synth.phrasing_it import IT
from finetune.synth.places import CATALOGUE
from finetune.synth.plans import customer_plan, operator_plan
from finetune.synth.results import INJECTION, grounded_answer, result_text
from finetune.synth.styles import SINGLE_TURN_STYLES, STYLES, dress
from tools.registry import Session, ToolOutput, ToolRegistry

LANGUAGES: dict[str, Phrasing] = {p.code: p for p in (EN, DE, FR, ES, IT)}
TODAY = date(2026, 11, 15)
_TWO_CALL_STYLES = ("multipart", "followup", "plan")


class SynthesisError(ValueError):
    """A generated call the shop's tools would refuse (a bug in the generator, never in the data)."""


def dialogue_tags(conversation_id: str) -> tuple[str, str] | None:
    """(language, style) of a synthetic dialogue, from its conversation id; None for other sources."""
    parts = conversation_id.split("-")
    return (parts[1], parts[2]) if parts[0] == "synth" and len(parts) > 3 and parts[1] in LANGUAGES else None


def check_call(registry: ToolRegistry, session: Session, tool: str, args: dict[str, Any]) -> None:
    """Raise SynthesisError unless `args` fit `tool`'s schema and the shop's categories and places."""
    registry.validate(tool, args, session)
    schema = next(s for s in registry.schemas(session.role) if s["function"]["name"] == tool)
    for name, value in args.items():
        prop = schema["function"]["parameters"]["properties"][name]
        allowed = [
            v
            for option in [prop, *prop.get("anyOf", [])]
            for v in option.get("enum", []) + option.get("x-grammar-enum", [])
        ]
        if allowed and value not in allowed:
            raise SynthesisError(f"{tool}.{name}={value!r} is not one of the shop's {len(allowed)} values.")


def unanswerable_question(rng: random.Random, facts: ShopFacts | None = None, lang: str = "en") -> str:
    """A question about the world outside the shop, which no tool of either role can answer."""
    cities = (
        [c for level in ("city", "region") for c in (facts.places.get(level) or [])]
        if facts
        else [city for _, regions in CATALOGUE.values() for _, _, names in regions for city in names]
    )
    city, other = rng.sample(cities, 2) if len(cities) > 1 else (cities[0], cities[0])
    return rng.choice(LANGUAGES[lang].unanswerable).format(city=city, other=other)


def _question(call: Call, words: Phrasing, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """`call` phrased in `words`' language, with the arguments that phrasing asks for."""
    template = rng.choice(words.templates[call.intent])
    text, args = render(template, call, words, rng), dict(call.args)
    if call.tool == "search_docs":
        args["query"] = text[:300]  # the user's own words: the search finds more with them than with a guess
    if call.tool in ("find_spikes", "compare_periods") and "{group" not in template:
        args["group_by"] = "region"  # "where ..." without a group: the tools' default grouping
    return text, args


def _call_messages(tool: str, args: dict[str, Any], facts: ShopFacts, rng: random.Random) -> list[dict]:
    text = result_text(tool, args, facts, rng)
    if tool == "search_docs" and rng.random() < 0.15:
        text += INJECTION
    return [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"type": "function", "function": {"name": tool, "arguments": args}}],
        },
        {"role": "tool", "name": tool, "content": ToolOutput(tool, text).as_message_text()},
        {"role": "assistant", "content": grounded_answer(tool, text)},
    ]


def _refusal(rng: random.Random, role: str, words: Phrasing, facts: ShopFacts) -> str:
    """A request outside the role; for a customer, often an operator's analytics question."""
    if role == "customer" and rng.random() < 0.4:
        call = operator_call(rng, facts)
        while call.tool == "search_docs":
            call = operator_call(rng, facts)
        return _question(call, words, rng)[0]
    return rng.choice(words.refusals[role]).format(
        other=rng.choice(facts.users), pid=rng.choice(facts.products)[0], place=place(rng, facts)[1]
    )


def _no_tool(rng: random.Random, role: str, words: Phrasing, facts: ShopFacts) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(words.greetings), words.answers["greeting"]
    if roll < 0.4:
        return rng.choice(words.thanks), words.answers["thanks"]
    if roll < 0.6:
        return unanswerable_question(rng, facts, words.code), words.answers[f"unanswerable_{role}"]
    return _refusal(rng, role, words, facts), words.answers[f"refusal_{role}"]


def _tool_turns(
    rng: random.Random,
    role: str,
    style: str,
    words: Phrasing,
    facts: ShopFacts,
    registry: ToolRegistry,
    session: Session,
) -> list[dict[str, Any]]:
    """The user and assistant turns of a dialogue that uses tools, in `style`."""
    if style == "plan":
        return _plan_turns(rng, role, words, facts, registry, session)
    draw = operator_call if role == "operator" else customer_call
    call = draw(rng, facts)
    if style == "followup":
        second = follow_up(call, rng, facts)
        while second is None:
            call = draw(rng, facts)
            second = follow_up(call, rng, facts)
        first_text, first_args = _question(call, words, rng)
        kind, call2 = second
        text = render(rng.choice(words.followups[kind]), call2, words, rng)
        args = dict(call2.args)
        if call2.tool == "search_docs":
            args["query"] = rng.choice(words.topics[call2.slots["topic"]])
        check_call(registry, session, call.tool, first_args)
        check_call(registry, session, call2.tool, args)
        return [
            {"role": "user", "content": first_text},
            *_call_messages(call.tool, first_args, facts, rng),
            {"role": "user", "content": text},
            *_call_messages(call2.tool, args, facts, rng),
        ]
    text, args = _question(call, words, rng)
    check_call(registry, session, call.tool, args)
    if style != "multipart":
        text = dress(text, style, words, rng)
        if call.tool == "search_docs":
            args["query"] = text[:300]
        return [{"role": "user", "content": text}, *_call_messages(call.tool, args, facts, rng)]
    other = draw(rng, facts) if rng.random() < 0.8 else docs_call(rng)
    while other.tool == call.tool:
        other = draw(rng, facts)
    text2, args2 = _question(other, words, rng)
    check_call(registry, session, other.tool, args2)
    first, second_calls = (
        _call_messages(call.tool, args, facts, rng),
        _call_messages(other.tool, args2, facts, rng),
    )
    answer = {"role": "assistant", "content": f"{first[-1]['content']} {second_calls[-1]['content']}"}
    question = text.rstrip(" ?.!") + ("?" if text.rstrip().endswith("?") else ".") + rng.choice(words.joiners)
    return [
        {"role": "user", "content": question + text2[0].lower() + text2[1:]},
        *first[:2],
        *second_calls[:2],
        answer,
    ]


def _plan_turns(
    rng: random.Random, role: str, words: Phrasing, facts: ShopFacts, registry: ToolRegistry, session: Session
) -> list[dict[str, Any]]:
    """A dependent plan's turns: the question (in one of the single-turn styles), the finding call and its
    result naming a value, the call that uses that value and its result, and the answer from both."""
    plan = operator_plan(rng, facts) if role == "operator" else customer_plan(rng, facts)
    template = rng.choice(words.templates[plan.question.intent])
    text = dress(render(template, plan.question, words, rng), rng.choice(SINGLE_TURN_STYLES), words, rng)
    second_args = dict(plan.second.args)
    if plan.second.tool == "search_docs":
        second_args["query"] = text[:300]
    check_call(registry, session, plan.first.tool, plan.first.args)
    check_call(registry, session, plan.second.tool, second_args)
    second = _call_messages(plan.second.tool, second_args, facts, rng)
    first_call = {"type": "function",
                  "function": {"name": plan.first.tool, "arguments": dict(plan.first.args)}}
    return [
        {"role": "user", "content": text},
        {"role": "assistant", "content": "", "tool_calls": [first_call]},
        {"role": "tool", "name": plan.first.tool,
         "content": ToolOutput(plan.first.tool, plan.first_result).as_message_text()},
        *second[:2],
        {"role": "assistant", "content": f"{grounded_answer(plan.first.tool, plan.first_result)} "
                                         f"{second[-1]['content']}"},
    ]


def synthesize(
    registry: ToolRegistry,
    facts: ShopFacts,
    n: int,
    seed: int = 0,
    today: date = TODAY,
    languages: tuple[str, ...] = tuple(LANGUAGES),
    styles: tuple[str, ...] = STYLES,
    tag: str = "",
) -> list[Dialogue]:
    """`n` dialogues over both roles on one shop, in `languages` and `styles`: tool use (most), chit-chat,
    out-of-scope questions, refusals and injections."""
    rng = random.Random(seed)
    dialogues: list[Dialogue] = []
    for i in range(n):
        role = "operator" if rng.random() < 0.5 else "customer"
        session = Session(role, "U000001" if role == "customer" else None)  # type: ignore[arg-type]
        lang, style = rng.choice(languages), rng.choice(styles)
        words = LANGUAGES[lang]
        # A third need no tool: a model that learns to call calls whenever in doubt unless refusals
        # are common.
        if rng.random() < 0.33:
            question, answer = _no_tool(rng, role, words, facts)
            if style in _TWO_CALL_STYLES or (
                answer in (words.answers["greeting"], words.answers["thanks"])
                and style not in ("terse", "typos")
            ):
                style = "plain"  # nobody wraps a "hello" in a polite paragraph
            turns = [
                {"role": "user", "content": dress(question, style, words, rng)},
                {"role": "assistant", "content": answer},
            ]
        else:
            turns = _tool_turns(rng, role, style, words, facts, registry, session)
        messages = [{"role": "system", "content": system_prompt(role, today)}, *turns]
        dialogues.append(Dialogue(f"synth-{lang}-{style}-{seed}{tag}-{i}", messages, "synth", role))
    return dialogues


def synthesize_random_shops(n: int, seed: int = 0, per_shop: int = 40, **options: Any) -> list[Dialogue]:
    """`n` dialogues written over random shops (`per_shop` each), so no shop's names are learnt."""
    from finetune.synth.profiles import random_facts, random_profile
    from tools.agent_tools import build_registry

    rng = random.Random(f"shops-{seed}")
    dialogues: list[Dialogue] = []
    for shop in range(-(-n // per_shop)):
        profile = random_profile(rng)
        facts = random_facts(rng, profile)
        count = min(per_shop, n - len(dialogues))
        dialogues += synthesize(
            build_registry(None, profile=profile),
            facts,
            count,
            seed=rng.randrange(2**31),
            tag=f"r{shop}",
            **options,
        )
    return dialogues
