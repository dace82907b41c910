"""PII scrubbing for training data: e-mails, phone numbers, payment cards, street addresses and names.

Each kind is replaced by a placeholder (`[EMAIL]`, `[PHONE]`, `[CARD]`, `[ADDRESS]`, `[NAME]`) and counted,
with a few masked lines per kind kept for a person to check. Order numbers are not personal and are kept:
digits after "order", "invoice", "ticket", "#" and the like are never read as a phone or card number, and
card numbers must pass the Luhn check. Names are found after introductions, greetings and sign-offs
("my name is", "Hi", "Dear Mr", "Regards,"), and, by `mask_names`, wherever a name the export lists
appears.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

SAMPLES_PER_KIND = 3
PLACEHOLDERS = {"emails": "[EMAIL]", "cards": "[CARD]", "phones": "[PHONE]", "addresses": "[ADDRESS]",
                "names": "[NAME]"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# International or national phone numbers with at least 9 digits, allowing spaces, dots, dashes, brackets.
_PHONE = re.compile(r"(?<![\w@])(?:\+|00)?\d[\d .()\-]{7,}\d(?!\w)")
# What precedes an order (invoice, ticket, tracking) number: its digits are kept.
_ORDER_CONTEXT = re.compile(
    r"(?:order|invoice|ticket|tracking|parcel|shipment|ref(?:erence)?|case|ord|inv)\w*"
    r"\W{0,3}(?:no|nr|number|num|id)?\.?\W{0,3}$|#\s*$",
    re.IGNORECASE,
)
_STREET_WORDS = (
    r"street|st\.|road|rd\.|avenue|ave\.|lane|boulevard|blvd|drive|way|place|square|"
    r"rue|avenue|allee|allée|chemin|impasse|quai|"
    r"straße|strasse|str\.|weg|platz|allee|gasse|"
    r"calle|avenida|plaza|paseo|carrer|"
    r"via|viale|piazza|corso"
)
# "12 Rue de Rivoli", "221B Baker Street", "Hauptstraße 5", "Calle Mayor 10", "Via Roma 3"
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][\w'.-]*\s+){{0,3}}(?:{_STREET_WORDS})\b(?:\s+[A-Z][\w'.-]*){{0,3}}"
    rf"|\b(?:{_STREET_WORDS})\s+(?:[A-Za-zÀ-ÿ'.-]+\s+){{0,3}}\d{{1,4}}[A-Za-z]?\b"
    rf"|\b[A-Z][a-zäöüß]+(?:straße|strasse|weg|platz|gasse)\s+\d{{1,4}}[a-z]?\b",
    re.IGNORECASE,
)
# Words (a set lookup each: an export may list thousands of names), and runs of masked ones (a full name).
_WORD = re.compile(r"(?<![\w'-])[^\W\d_][\w'-]*")
_NAME_RUN = re.compile(r"\[NAME\](?:[ \t]+\[NAME\])*")
# Capitalised words that follow introductions, greetings and sign-offs without being names.
_NOT_NAMES = (
    "all|again|customers?|everyone|folks|guys|team|there|support|sir|madam|so|very|not|sorry|just|here|"
    "still|writing|looking|trying|having|happy|glad|the|an?|i|we|you|your|our|my|for|in|regards|best|kind|"
    "warm|good|morning|afternoon|evening|order|service|it|is|that|this|please|thanks|thank|wishes|ok|okay|"
    "yes|no|and|from|with|at|on"
)
_NAME_WORD = rf"(?!(?i:{_NOT_NAMES})\b)[A-Z][a-zà-ÿ'-]+"
# A capitalised name (one or two words) after an introduction, a greeting or a sign-off.
_NAME = re.compile(
    r"(?i:\b(?:my name is|my name's|name:|this is|i am|i'm|hi|hello|hey|dear|thanks|thank you|regards|cheers|"
    r"best|sincerely)\b)[,:]?[ \t]*\n?[ \t]*(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?"
    rf"(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass
class ScrubReport:
    """How many of each kind of PII were masked, with a few masked lines of each kind to check."""

    counts: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, other: ScrubReport) -> None:
        """Fold another report into this one (samples up to SAMPLES_PER_KIND a kind)."""
        self.counts.update(other.counts)
        for kind, lines in other.samples.items():
            mine = self.samples.setdefault(kind, [])
            mine += [line for line in lines if line not in mine][: SAMPLES_PER_KIND - len(mine)]

    def summary(self) -> str:
        """One sentence: what was masked, per kind."""
        if not self.counts:
            return "No PII found."
        return "Masked " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items())) + "."

    def sample_lines(self) -> list[str]:
        """Masked lines per kind, as `kind: line`, for a person to check the masking."""
        return [f"{kind}: {line}" for kind in sorted(self.samples) for line in self.samples[kind]]


def _excerpt(text: str, placeholder: str, width: int = 60) -> str:
    at = text.find(placeholder)
    start, end = max(0, at - width), min(len(text), at + len(placeholder) + width)
    line = " ".join(text[start:end].split())
    return ("..." if start else "") + line + ("..." if end < len(text) else "")


def _digits(match: re.Match[str]) -> str:
    return re.sub(r"\D", "", match.group(0))


def _not_an_order_number(text: str, match: re.Match[str]) -> bool:
    return _ORDER_CONTEXT.search(text[max(0, match.start() - 24): match.start()]) is None


def _sub(
    pattern: re.Pattern[str], kind: str, text: str, report: ScrubReport,
    check: Callable[[str, re.Match[str]], bool] | None = None, group: str | int = 0,
) -> str:
    """Replace `pattern`'s `group` by the kind's placeholder where `check` allows; count each."""

    def repl(match: re.Match[str]) -> str:
        if check is not None and not check(text, match):
            return match.group(0)
        report.counts[kind] += 1
        whole, start = match.group(0), match.start(group) - match.start()
        return whole[:start] + PLACEHOLDERS[kind] + whole[start + len(match.group(group)):]

    return pattern.sub(repl, text)


def _sampled(text: str, report: ScrubReport) -> tuple[str, ScrubReport]:
    report.samples = {kind: [_excerpt(text, PLACEHOLDERS[kind])] for kind in report.counts}
    return text, report


def scrub(text: str) -> tuple[str, ScrubReport]:
    """Mask PII in `text`; returns the clean text and what was masked."""
    report = ScrubReport()
    text = _sub(_EMAIL, "emails", text, report)
    text = _sub(_CARD, "cards", text, report,
                check=lambda t, m: _luhn_ok(_digits(m)) and _not_an_order_number(t, m))
    text = _sub(_PHONE, "phones", text, report,
                check=lambda t, m: 9 <= len(_digits(m)) <= 15 and _not_an_order_number(t, m))
    text = _sub(_ADDRESS, "addresses", text, report)
    text = _sub(_NAME, "names", text, report, group="name")
    return _sampled(text, report)


def name_words(names: Collection[str]) -> frozenset[str]:
    """The words to mask for `names` (people an export lists): each capitalised part of each name."""
    return frozenset(part for name in names for part in name.split() if len(part) >= 2 and part[0].isupper())


def mask_names(text: str, words: frozenset[str]) -> tuple[str, ScrubReport]:
    """Mask every word of `words` (from `name_words`) in `text`; a full name's words become one [NAME]."""

    def word(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in words:
            return PLACEHOLDERS["names"]
        if found.endswith("'s") and found[:-2] in words:
            return PLACEHOLDERS["names"] + "'s"
        return found

    report = ScrubReport()
    return _sampled(_sub(_NAME_RUN, "names", _WORD.sub(word, text), report), report)
