"""How one language asks the shop's questions: words for the tools' values and templates per intent.

Each language's module (`phrasing_en.py`, `phrasing_de.py`, ...) fills one `Phrasing`, written natively
(not translated word by word). Templates are `str.format` strings over the slots the intents fill:
{metric} {group} {groups} {period} {where} {day} {part} {start} {end} {cmp} {since} {cat} {product} {pid}
{stock} {lead} {when} {uid} {status} {oid} {price} {cur} {topic} {city} {other}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrasing:
    """One language's words and templates."""

    code: str  # ISO 639-1
    metrics: dict[str, str]  # metric enum -> words
    groups: dict[str, tuple[str, str]]  # group_by enum -> (singular, plural)
    periods: dict[str, list[str]]  # period enum -> ways to say it ({year} for a past year)
    since: dict[str, list[str]]  # look-back enum (24h, 7d, 30d, 90d) -> ways to say it
    days: dict[str, str]  # English weekday -> the language's
    parts: dict[str, str]  # night, evening, morning
    comparisons: dict[str, list[str]]  # week_over_week / month_over_month / year_over_year -> ways to say it
    horizons: dict[int, str]  # days ahead -> words
    statuses: dict[str, str]  # order status enum -> words
    topics: dict[str, list[str]]  # document topic key -> ways to name it
    prepositions: dict[str, str]  # place level -> the preposition before its name ("in", "à", ...)
    templates: dict[str, list[str]]  # intent -> question templates
    followups: dict[str, list[str]]  # follow-up kind -> second-question templates
    polite: list[str]  # wrappers with one {q}
    verbose: list[str]
    angry: list[str]
    joiners: list[str]  # between the parts of a multi-part question
    greetings: list[str]
    thanks: list[str]
    unanswerable: list[str]
    refusals: dict[str, list[str]]  # role -> requests outside that role ({other} {pid} {place})
    answers: dict[str, str]  # greeting, thanks, unanswerable_<role>, refusal_<role>

    def where(self, level: str, name: str) -> str:
        """ " in Bavaria" in this language, for a place of `level`."""
        return f" {self.prepositions.get(level, self.prepositions['region'])} {name}"
