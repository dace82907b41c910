"""Synthetic dialogues: five languages and every style, calls that validate against each shop's tools, no
demo names on other shops, seeded typos, follow-ups that need their first turn, periods and rankings as
people say them."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from finetune.data import question_key
from finetune.prepare import BENCHMARK_CASES, held_out_questions
from finetune.synth import LANGUAGES, STYLES, ShopFacts, dialogue_tags, synthesize, synthesize_random_shops
from finetune.synth.dialogues import check_call
from finetune.synth.profiles import random_facts, random_profile
from finetune.synth.styles import inject_typos
from tools.agent_tools import build_registry
from tools.events.simulate.profile import demo_profile
from tools.registry import Session


def _calls(dialogue) -> list[tuple[str, dict]]:
    return [(c["function"]["name"], c["function"]["arguments"])
            for m in dialogue.messages if m["role"] == "assistant" for c in m.get("tool_calls") or []]


def _first_reply(dialogue) -> str:
    reply = next(m for m in dialogue.messages if m["role"] == "assistant")
    calls = reply.get("tool_calls") or []
    return calls[0]["function"]["name"] if calls else "(no tool)"


def _user_text(dialogues) -> str:
    return " ".join(str(m["content"]) + str(m.get("tool_calls", ""))
                    for d in dialogues for m in d.messages if m["role"] in ("user", "assistant", "tool"))


@pytest.fixture(scope="module")
def random_shop():
    profile = random_profile(random.Random(5))
    facts = random_facts(random.Random(6), profile)
    registry = build_registry(None, profile=profile)
    return profile, registry, synthesize(registry, facts, 900, seed=7)


def _shop(store, docs_dir):
    profile = store.profile()
    return profile, ShopFacts.load(store.root, docs_dir, profile), build_registry(None, profile=profile)


def test_every_language_and_style_and_every_tool_of_both_roles_is_in_a_set(each_shop, settings) -> None:
    _, facts, registry = _shop(each_shop[0], settings.docs_dir)
    dialogues = synthesize(registry, facts, 700, seed=1) + synthesize_random_shops(300, seed=1)
    tags = Counter(dialogue_tags(d.conversation_id) for d in dialogues)
    assert {lang for lang, _ in tags} == set(LANGUAGES) and {style for _, style in tags} == set(STYLES)
    by_role = {role: {_first_reply(d) for d in dialogues if d.role == role}
               for role in ("customer", "operator")}
    for role, replies in by_role.items():
        assert replies == {tool.name for tool in registry.for_role(role)} | {"(no tool)"}, role


def test_every_call_validates_against_the_shop_it_was_written_for(each_shop, settings, random_shop) -> None:
    _, facts, registry = _shop(each_shop[0], settings.docs_dir)
    _, random_registry, random_dialogues = random_shop
    for reg, dialogues in ((registry, synthesize(registry, facts, 400, seed=2)),
                           (random_registry, random_dialogues)):
        for dialogue in dialogues:
            session = Session(dialogue.role, "U000001" if dialogue.role == "customer" else None)
            for tool, args in _calls(dialogue):
                check_call(reg, session, tool, args)  # schema, role, and the shop's categories and places


def test_a_call_outside_the_shops_places_is_refused(random_shop) -> None:
    from finetune.synth import SynthesisError

    _, registry, _ = random_shop
    demo_place = next(p.name for p in demo_profile().places if p.level == "region")
    with pytest.raises(SynthesisError, match="not one of the shop's"):
        check_call(registry, Session("operator"), "top_items", {"metric": "revenue", "place": demo_place})


def test_no_demo_place_names_appear_on_other_shops(random_shop) -> None:
    from tests.shops import NORTHWIND

    profiles = [random_profile(random.Random(seed)) for seed in range(60)]
    local = {p.name for profile in profiles for p in profile.places if p.level != "country"}
    for shop in (demo_profile(), NORTHWIND):  # regions and cities: a country is everybody's
        assert not local & {p.name for p in shop.places}
    assert len({p.country for profile in profiles for p in profile.places}) >= 15
    profile, _, dialogues = random_shop
    demo = {p.name for p in demo_profile().places} - {p.name for p in profile.places}
    text = _user_text(dialogues)
    assert not [name for name in demo if re.search(rf"\b{re.escape(name)}\b", text)]
    assert sum(text.count(p.name) for p in profile.places) > 100


def test_typos_are_seeded_deterministic_and_keep_ids() -> None:
    text = "Wie hat sich der Umsatz für Bestellung O0012345 gegenüber der Vorwoche in Thüringen entwickelt?"
    runs = [inject_typos(text, random.Random(seed), rate=0.5) for seed in range(8)]
    assert runs == [inject_typos(text, random.Random(seed), rate=0.5) for seed in range(8)]
    assert len(set(runs)) > 4 and all(run != text for run in runs)
    assert all("O0012345" in run for run in runs)
    assert any("ü" not in run for run in runs)  # umlauts dropped in some


def test_follow_ups_carry_two_user_turns_whose_second_needs_the_first(random_shop) -> None:
    from finetune.decision_head import decision_label

    follow_ups = [d for d in random_shop[2] if dialogue_tags(d.conversation_id)[1] == "followup"]
    assert len(follow_ups) >= 50
    for dialogue in follow_ups:
        users = [m["content"] for m in dialogue.messages if m["role"] == "user"]
        (_, first_args), (second_tool, second_args) = _calls(dialogue)
        assert len(users) == 2 and decision_label(dialogue) == second_tool
        carried = [v for k, v in second_args.items()
                   if k in ("category", "product", "place") and first_args.get(k) == v]
        # what the second call keeps from the first is not said again: only the first turn gives it
        assert not [v for v in carried if v.lower() in users[1].lower()], (users, second_args)


def test_periods_as_people_say_them_and_comparisons_only_when_asked(random_shop) -> None:
    en, de = LANGUAGES["en"].periods, LANGUAGES["de"].periods
    assert {"since we opened", "over all the data", "in {year}"} <= set(en["all_time"])
    assert "last quarter" in en["last_90_days"] and "seit Monatsanfang" in de["this_month"]
    said = {phrase.lower(): period for p in LANGUAGES.values() for period, phrases in p.periods.items()
            for phrase in phrases if "{" not in phrase and len(phrase) > 8}
    comparison_words = {w.lower() for p in LANGUAGES.values() for ws in p.comparisons.values() for w in ws}
    checked = Counter()
    for dialogue in random_shop[2]:  # (a plan's question may be dressed with typos)
        if dialogue_tags(dialogue.conversation_id)[1] in ("typos", "followup", "multipart", "plan"):
            continue
        question = dialogue.messages[1]["content"].lower()
        tool, args = (_calls(dialogue) or [("", {})])[0]
        if tool in ("top_items", "compare_periods"):  # a ranking unless a comparison is asked
            assert (tool == "compare_periods") == any(w in question for w in comparison_words), question
        found = [phrase for phrase in said if phrase in question]
        # the longest phrase: "dall'inizio del mese" is this month, not "dall'inizio" (all time)
        for phrase in [p for p in found if not any(p != o and p in o for o in found)]:
            if tool == "top_items":
                assert args.get("period") == said[phrase], question
                checked[said[phrase]] += 1
    assert sum(checked.values()) >= 15 and "all_time" in checked, checked


def test_customers_asking_operator_questions_are_refused_in_their_language(demo_shop, settings) -> None:
    _, facts, registry = _shop(demo_shop[0], settings.docs_dir)
    dialogues = synthesize(registry, facts, 1500, seed=3)
    refusals = {p.answers["refusal_customer"] for p in LANGUAGES.values()}
    refused = [d for d in dialogues if d.role == "customer" and d.messages[-1]["content"] in refusals]
    assert all(_first_reply(d) == "(no tool)" for d in refused)
    assert {dialogue_tags(d.conversation_id)[0] for d in refused} == set(LANGUAGES)
    for d in refused:
        language = dialogue_tags(d.conversation_id)[0]
        assert d.messages[-1]["content"] == LANGUAGES[language].answers["refusal_customer"]


def test_synthetic_phrasings_mostly_differ_from_the_benchmark(demo_shop, settings) -> None:
    _, facts, registry = _shop(demo_shop[0], settings.docs_dir)
    dialogues = synthesize(registry, facts, 600, seed=2)
    held_out = held_out_questions(BENCHMARK_CASES)
    questions = [m["content"] for d in dialogues for m in d.messages if m["role"] == "user"]
    copies = [q for q in questions if question_key(q) in held_out]
    assert len(copies) <= len(questions) // 100, copies  # prepare() drops the rest (decontaminate)


def test_every_tool_period_is_said_in_every_language_and_calendar_words_mean_calendar_spans() -> None:
    """'last month' is last_month (the previous calendar month), never a rolling 30 days, in each language."""
    from tools.agent_tools.fields import SHOWN_PERIODS

    for code, phrasing in LANGUAGES.items():
        assert set(phrasing.periods) == set(SHOWN_PERIODS), code
    calendar = {"en": "last month", "de": "letzten Monat", "fr": "le mois dernier", "es": "el mes pasado",
                "it": "il mese scorso"}
    for code, words in calendar.items():
        periods = LANGUAGES[code].periods
        assert words in periods["last_month"] and words not in periods["last_30_days"], code


def _found(dialogue) -> str:
    """The value the first tool's result leads with (the first place, category or product it names)."""
    result = next(m["content"] for m in dialogue.messages if m["role"] == "tool").split("\n")[1]
    leads = (r"\(1 x (.+?)\) to ",  # an order's item
             r'products for "[^"]*": (.+?) \(',  # a product search's first match
             r"^([^:]+): .*? [\d.]+x its baseline",  # a spike's first group
             r"^[^:]*: (.+?) [-+]?[\d,.]+%?[;. ]")  # a ranking's or a comparison's first row
    return next(m.group(1) for m in (re.search(p, result) for p in leads) if m)


def test_dependent_plans_call_the_finding_tool_first_then_use_exactly_what_it_found(
    each_shop, settings, random_shop
) -> None:
    _, facts, registry = _shop(each_shop[0], settings.docs_dir)
    dialogues = synthesize(registry, facts, 600, seed=4, styles=("plan",)) + random_shop[2]
    plans = [d for d in dialogues if dialogue_tags(d.conversation_id)[1] == "plan"]
    assert {(dialogue_tags(d.conversation_id)[0], d.role) for d in plans} == {
        (lang, role) for lang in LANGUAGES for role in ("customer", "operator")}
    seconds = Counter()
    for dialogue in plans:
        (first, first_args), (second, args) = _calls(dialogue)
        question = dialogue.messages[1]["content"]
        if second == "search_docs":  # a policy question about the order found: the user's own words
            assert first == "my_orders" and args["query"] == question[:300]
            seconds[second] += 1
            continue
        found = _found(dialogue)
        carried = [v for k, v in args.items() if k in ("place", "category", "product")]
        assert carried == [found], (question, first_args, args, found)
        assert found.lower() not in question.lower()  # only the first result names it
        seconds[(first, second)] += 1
    assert {("find_spikes", "forecast_demand"), ("find_spikes", "top_items"), ("top_items", "recommend"),
            ("top_items", "forecast_demand"), ("compare_periods", "forecast_demand"),
            ("my_orders", "my_recommendations"), ("search_products", "my_recommendations"),
            "search_docs"} <= set(seconds), seconds


def test_dependent_plans_are_a_modest_share_of_the_dialogues(random_shop) -> None:
    tags = Counter(dialogue_tags(d.conversation_id)[1] for d in random_shop[2])
    assert 0.03 < tags["plan"] / sum(tags.values()) < 0.12, tags
