"""Grounding checks on a drafted answer: numbers and identifiers must come from tool results, policies must
be cited.

Pure functions over text, so they are tested without a model. The agent uses them to decide whether the
model's draft can be shown or must be replaced by an answer composed from the tool summaries.
"""

from __future__ import annotations

import re

# A number as people write it: 1,830 / 1830 / 2.4 / 18% / 2.4x / -3. Years and list markers count too;
# a grounded answer simply repeats what the tools said.
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?")
# A word that starts with a letter and holds an underscore or two digits: an id (O0001234, U000001, P0042)
# or a field name (my_order_id), never an ordinary word.
_WORD = re.compile(r"\b[^\W\d_]\w*\b", re.UNICODE)
_CITATION = re.compile(r"\[([A-Za-z0-9_.:#/\-]+)\]")


def _canonical(number: str) -> str:
    """'1,830.0' -> '1830', '+2.40' -> '2.4': one spelling per value."""
    text = number.replace(",", "").lstrip("+")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def numbers_in(text: str) -> set[str]:
    """Canonical spellings of every number in `text`."""
    return {_canonical(m.group(0)) for m in _NUMBER.finditer(text)}


def ungrounded_numbers(answer: str, sources: list[str]) -> list[str]:
    """Numbers in the answer that appear in none of the sources (tool results, the question itself)."""
    known: set[str] = set()
    for source in sources:
        known |= numbers_in(source)
        # Tools print rounded values; accept the answer quoting a value the tool printed with more digits.
        for value in list(numbers_in(source)):
            if "." in value:
                whole, frac = value.split(".")
                known.add(whole)
                known |= {f"{whole}.{frac[:n]}".rstrip("0").rstrip(".") for n in range(1, len(frac))}
    return sorted(n for n in numbers_in(answer) - known)


def identifiers_in(text: str) -> set[str]:
    """Every identifier-like word in `text` (see _WORD): order, product and user ids, field names."""
    return {word for word in _WORD.findall(text) if "_" in word or sum(c.isdigit() for c in word) >= 2}


def ungrounded_identifiers(answer: str, sources: list[str]) -> list[str]:
    """Identifiers in the answer that appear in none of the sources (tool results, the question itself)."""
    known: set[str] = set()
    for source in sources:
        known |= identifiers_in(source)
    return sorted(identifiers_in(answer) - known)


def citations_in(text: str) -> list[str]:
    """Citation ids written as [id] in the text, in order of appearance, without repeats."""
    seen: list[str] = []
    for match in _CITATION.finditer(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


_LOOKS_LIKE_DATA = re.compile(r"[{}]|\w+_\w+,\w+|<tool_result|<quoted_document")  # JSON, CSV, echoed data


def acceptable_draft(draft: str, sources: list[str], figures: list[str]) -> bool:
    """A draft may be shown if it is prose, invents no number or id, and quotes the analytics tools' figures.

    `sources` is everything the tools returned (with the question); `figures` the analytics results only
    (the question first): a policy answer need not repeat a number, an analytics answer must.
    """
    if not draft or _LOOKS_LIKE_DATA.search(draft):
        return False
    if ungrounded_numbers(draft, sources) or ungrounded_identifiers(draft, sources):
        return False
    tool_numbers = numbers_in(" ".join(figures[1:])) - numbers_in(figures[0])
    return not tool_numbers or bool(numbers_in(draft) & tool_numbers)
