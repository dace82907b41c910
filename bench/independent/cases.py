"""The independent evaluation cases: loading them, and the tool lists and profiles they were written against.

`handout/` holds what the model sees per shop and role (`tools-<shop>-<role>.json`) and the shops' profiles
(`profile-<shop>.json`), copied as they were handed to the set's author.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tools.events.profile import ShopProfile

HERE = Path(__file__).resolve().parent
HANDOUT = HERE / "handout"
SHOPS = ("demo", "northwind")
ROLES = ("customer", "operator")
LANGUAGES = ("en", "de", "fr", "es", "it")
# the single questions (with a few two-turn ones), the conversations, and five sets of conversations held
# out from every decision (each written after the changes the sets before it measured)
KINDS = ("cases", "dialogues", "heldout", "heldout2", "heldout3", "heldout4", "heldout5")
STYLES = ("plain", "terse", "typos", "polite", "angry", "verbose", "multi_part", "follow_up", "slang",
          "attack", "injection")
REQUIRED = ("id", "shop", "role", "language", "style", "turns", "expected_tool", "alternatives",
            "arguments", "checks")


class CaseError(ValueError):
    """A case file line that does not follow the case format; the message names the case and the field."""


def case_file(shop: str, kind: str = "cases") -> Path:
    """The JSONL file of one shop's cases of one kind (KINDS)."""
    return HERE / f"{kind}-{shop}.jsonl"


def load_cases(shop: str, kind: str = "cases") -> list[dict[str, Any]]:
    """Every case of one shop ("demo" or "northwind") and kind ("cases": the questions; "dialogues",
    "heldout" to "heldout5": conversations), checked for the fields each case must have."""
    if shop not in SHOPS:
        raise CaseError(f"Unknown shop {shop!r}; the set has cases for {', '.join(SHOPS)}.")
    if kind not in KINDS:
        raise CaseError(f"Unknown kind {kind!r}; the set's kinds are {', '.join(KINDS)}.")
    cases = []
    for number, line in enumerate(case_file(shop, kind).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{case_file(shop, kind).name} line {number}: not JSON ({exc}).") from exc
        missing = [name for name in REQUIRED if name not in case]
        if missing:
            raise CaseError(f"{case.get('id', f'line {number}')}: missing {', '.join(missing)}.")
        if case["shop"] != shop or case["role"] not in ROLES or case["language"] not in LANGUAGES:
            raise CaseError(f"{case['id']}: shop, role or language out of range.")
        if case["style"] not in STYLES:
            raise CaseError(f"{case['id']}: style {case['style']!r} is not one of {', '.join(STYLES)}.")
        if not case["turns"] or not all(isinstance(t, str) and t.strip() for t in case["turns"]):
            raise CaseError(f"{case['id']}: turns must be a non-empty list of user messages.")
        if not case["checks"]:
            raise CaseError(f"{case['id']}: every case needs at least one answer check.")
        cases.append(case)
    return cases


@cache
def tool_schemas(shop: str, role: str) -> dict[str, dict[str, Any]]:
    """The tools the model sees in one shop and role, by name: their JSON parameter schemas."""
    listing = json.loads((HANDOUT / f"tools-{shop}-{role}.json").read_text(encoding="utf-8"))
    return {entry["function"]["name"]: entry["function"]["parameters"] for entry in listing}


def operator_only_tools(shop: str) -> frozenset[str]:
    """Tools an operator has and a customer must never reach."""
    return frozenset(tool_schemas(shop, "operator")) - frozenset(tool_schemas(shop, "customer"))


@cache
def handout_profile(shop: str) -> ShopProfile:
    """The shop's profile as handed out with the tool lists."""
    return ShopProfile.from_json((HANDOUT / f"profile-{shop}.json").read_text(encoding="utf-8"))
