"""PII scrubbing for training data: emails, phone numbers, payment card numbers and street addresses.

Each kind is replaced by a placeholder (`[EMAIL]`, `[PHONE]`, `[CARD]`, `[ADDRESS]`) and counted, so the
preparation report can say what was masked. Card numbers are only masked when they pass the Luhn check,
so order numbers and quantities survive.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# International or national phone numbers with at least 9 digits, allowing spaces, dots, dashes, brackets.
_PHONE = re.compile(r"(?<![\w@])(?:\+|00)?\d[\d .()\-]{7,}\d(?!\w)")
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
    """How many of each kind of PII were masked."""

    counts: Counter = field(default_factory=Counter)

    def add(self, other: ScrubReport) -> None:
        self.counts.update(other.counts)

    def summary(self) -> str:
        if not self.counts:
            return "No PII found."
        return "Masked " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items())) + "."


def scrub(text: str) -> tuple[str, ScrubReport]:
    """Mask PII in `text`; returns the clean text and what was masked."""
    report = ScrubReport()

    def _sub(pattern: re.Pattern[str], placeholder: str, kind: str, text: str, check=None) -> str:
        def repl(match: re.Match[str]) -> str:
            if check is not None and not check(match.group(0)):
                return match.group(0)
            report.counts[kind] += 1
            return placeholder

        return pattern.sub(repl, text)

    text = _sub(_EMAIL, "[EMAIL]", "emails", text)
    text = _sub(_CARD, "[CARD]", "cards", text, check=lambda s: _luhn_ok(re.sub(r"\D", "", s)))
    text = _sub(
        _PHONE, "[PHONE]", "phones", text, check=lambda s: 9 <= len(re.sub(r"\D", "", s)) <= 15
    )
    text = _sub(_ADDRESS, "[ADDRESS]", "addresses", text)
    return text, report
