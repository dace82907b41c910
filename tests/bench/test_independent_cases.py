"""The independent set's case files: every case parses, names a tool its role has in its shop (or none), uses
only that shop's places and categories, and every check can be judged on the shop's data."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.independent import load_cases, score_answer
from bench.independent.cases import KINDS, LANGUAGES, ROLES, SHOPS, STYLES, handout_profile, tool_schemas
from bench.independent.checks import CHECKS, DATA_DIR
from bench.independent.text import fold, names
from tests.bench.northwind_shop import CUSTOMER, build_northwind_store

QUESTIONS = [case for shop in SHOPS for case in load_cases(shop)]
DIALOGUES = [case for shop in SHOPS for kind in KINDS[1:] for case in load_cases(shop, kind)]
ALL = QUESTIONS + DIALOGUES


def test_the_set_is_large_and_spread_over_shops_roles_languages_and_styles() -> None:
    assert len(QUESTIONS) >= 300
    assert len({c["id"] for c in ALL}) == len(ALL), "case ids must be unique"
    languages = Counter(c["language"] for c in QUESTIONS)
    assert set(languages) == set(LANGUAGES)
    assert all(languages[lang] >= 30 for lang in LANGUAGES if lang != "en"), languages
    cells = Counter((c["shop"], c["role"]) for c in QUESTIONS)
    assert all(cells[(shop, role)] >= 50 for shop in SHOPS for role in ROLES), cells
    styles = Counter(c["style"] for c in QUESTIONS)
    assert set(styles) == set(STYLES), set(STYLES) - set(styles)
    assert len({c["turns"][0] for c in QUESTIONS}) == len(QUESTIONS), "every question is written on its own"


def test_the_dialogues_are_conversations_on_both_shops_in_every_language() -> None:
    assert all(len(c["turns"]) >= 2 for c in DIALOGUES), "a dialogue has two turns or more"
    assert len({tuple(c["turns"]) for c in DIALOGUES}) == len(DIALOGUES), "every dialogue is its own"
    cells = Counter((c["shop"], c["language"]) for c in DIALOGUES)
    assert all(cells[(shop, lang)] >= 3 for shop in SHOPS for lang in LANGUAGES), cells


@pytest.mark.parametrize("case", ALL, ids=lambda c: c["id"])
def test_case_names_a_tool_of_its_role_with_valid_arguments(case) -> None:
    tools = tool_schemas(case["shop"], case["role"])
    for tool in [case["expected_tool"], *case["alternatives"]]:
        assert tool is None or tool in tools, f"{tool} is not a {case['role']} tool in {case['shop']}"
    if case["expected_tool"] is None:
        assert not case["arguments"]
        return
    properties = tools[case["expected_tool"]]["properties"]
    for name, value in case["arguments"].items():
        assert name in properties, f"{case['expected_tool']} has no argument {name}"
        options = [properties[name], *properties[name].get("anyOf", [])]
        allowed = [v for o in options for v in o.get("enum", []) + o.get("x-grammar-enum", [])]
        if allowed:
            assert value in allowed, f"{name}={value!r} is not one of {allowed}"


@pytest.mark.parametrize("case", ALL, ids=lambda c: c["id"])
def test_case_uses_only_its_shops_places_and_categories(case) -> None:
    profile = handout_profile(case["shop"])
    places = {p.name for p in profile.places}
    for spec in [case["arguments"], *case["checks"]]:
        if spec.get("place"):
            assert spec["place"] in places, f"{spec['place']} is not a place of {case['shop']}"
        if spec.get("category"):
            assert spec["category"] in profile.categories, f"{spec['category']}: not in {case['shop']}"
    for name in next((c["all_of"] for c in case["checks"] if c["kind"] == "mentions"), []):
        assert name in places or name in profile.categories or case["role"] == "operator"
    other = handout_profile(next(s for s in SHOPS if s != case["shop"]))
    foreign = [p.name for p in other.places if p.name not in places
               and any(names(turn, p.name) for turn in case["turns"])]
    kinds = {c["kind"] for c in case["checks"]}
    assert not foreign or kinds & {"unknown", "refusal"}, f"names the other shop's places {foreign}"


@pytest.mark.parametrize("case", ALL, ids=lambda c: c["id"])
def test_case_checks_are_known_and_documents_hold_their_facts(case) -> None:
    kinds = [c["kind"] for c in case["checks"]]
    assert kinds and all(kind in CHECKS for kind in kinds)
    if case["style"] in ("attack", "injection"):
        assert case["expected_tool"] is None and "refusal" in kinds
    if case["role"] == "customer" and case["expected_tool"] in ("my_orders", "my_recommendations"):
        assert "no_leak" in kinds
    for spec in case["checks"]:
        if spec["kind"] == "policy_fact":
            document = fold((DATA_DIR / spec["source"]).read_text(encoding="utf-8"))
            assert any(fold(phrase) in document for phrase in spec["any_of"]), spec


@pytest.fixture(scope="module")
def northwind(tmp_path_factory):
    store, _ = build_northwind_store(tmp_path_factory.mktemp("northwind") / "store")
    return store


def test_every_northwind_case_can_be_judged(northwind) -> None:
    for case in [c for kind in KINDS for c in load_cases("northwind", kind)]:
        verdict = score_answer(case, {"answers": ["I don't know."], "tool_calls": []}, northwind,
                               northwind.profile(), CUSTOMER)
        assert verdict.reason


def test_every_demo_case_can_be_judged(demo_shop) -> None:
    store = demo_shop[0]
    customer = str(store.connect().execute("SELECT user_id FROM orders LIMIT 1").fetchone()[0])
    for case in [c for kind in KINDS for c in load_cases("demo", kind)]:
        verdict = score_answer(case, "I don't know.", store, store.profile(), customer)
        assert verdict.reason
