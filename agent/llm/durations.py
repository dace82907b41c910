"""How many days ahead a question asks for, in the shop's five languages: "next 4 weeks", "die nächsten 28
Tage", "les deux prochaines semaines", "las próximas dos semanas", "il prossimo mese".

`turn_values` holds a call's day-count properties (`horizon_days`, `lead_time_days`) to the durations the
user's words give: the 0.5B model wrote 28 days (its default) for "las próximas dos semanas". Durations
that look back ("last 30 days", "ultimi 7 giorni") are periods, not horizons, and are skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from tools.language import plain_words

NUMBERS: dict[str, int] = {
    # en ("a day" is a rate more often than a span: "a" and "an" are no number here)
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2,
    # de
    "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12,
    # fr
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12,
    # es
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    # it
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10,
    "undici": 11, "dodici": 12,
}
UNITS: dict[str, int] = {
    **dict.fromkeys(("day", "days", "tag", "tage", "tagen", "jour", "jours", "dia", "dias", "giorno",
                     "giorni", "gg"), 1),  # Italian "gg": giorni
    **dict.fromkeys(("week", "weeks", "woche", "wochen", "semaine", "semaines", "semana", "semanas",
                     "settimana", "settimane"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
    **dict.fromkeys(("month", "months", "monat", "monate", "monaten", "mois", "mes", "meses", "mese", "mesi"),
                    30),  # French "mes" (my) is no month: a unit needs a number or "next" before it
    **dict.fromkeys(("quarter", "quarters", "quartal", "trimestre", "trimestres", "trimestri"), 90),
}
# "next"/"coming" before or after a unit without a number: one of it ("next month", "la semaine prochaine")
NEXT = frozenset(("next", "coming", "nachste", "nachsten", "nachstes", "kommende", "kommenden", "prochain",
                  "prochaine", "prochains", "prochaines", "proximo", "proxima", "proximos", "proximas",
                  "siguiente", "siguientes", "prossimo", "prossima", "prossimi", "prossime"))
# units in the singular: "Perfume 4 next week" is one week (a count before "next" needs a plural unit)
SINGULAR = frozenset(("day", "tag", "jour", "dia", "giorno", "week", "woche", "semaine", "semana",
                      "settimana", "fortnight", "month", "monat", "mes", "mese", "quarter", "quartal"))
# a duration right after these looks back: a period, not a horizon
PAST = frozenset(("last", "past", "previous", "letzte", "letzten", "vergangenen", "derniers", "dernieres",
                  "ultimos", "ultimas", "ultimi", "ultime", "scorsi", "scorse"))


def durations_in_days(text: str) -> tuple[int, ...]:
    """The forward-looking durations `text` names, in days, in the order named ("next 2 weeks" -> 14,
    "nächsten Monat" -> 30; "last 30 days" -> nothing)."""
    return _spans(text, _ahead)


def lookbacks_in_days(text: str) -> tuple[int, ...]:
    """The durations `text` looks back over, in days, in the order named ("last 2 weeks" -> 14, "les 6
    derniers mois" -> 180, "past week" -> 7; "next 2 weeks" -> nothing)."""
    return _spans(text, _back)


def _spans(text: str, days_of: Callable[[str, str, str, str, int], int | None]) -> tuple[int, ...]:
    """Each distinct span `days_of` reads around a unit word (two words before, one, the unit, one after)."""
    words = ["", "", *plain_words(text), ""]  # padded: every unit has two words before it and one after
    found: list[int] = []
    for i in range(2, len(words) - 1):
        unit = UNITS.get(words[i])
        days = None if unit is None else days_of(words[i - 2], words[i - 1], words[i], words[i + 1], unit)
        if days is not None and days not in found:
            found.append(days)
    return tuple(found)


def _ahead(two: str, one: str, word: str, after: str, unit: int) -> int | None:
    if one in PAST or after in PAST or (_count(one) is not None and two in PAST):
        return None  # "last 30 days", "les 7 derniers jours" (the unit after "derniers"), "letzten 7 Tage"
    if _count(one) is not None:  # "next 2 weeks", "nächsten 28 Tage", "dos semanas"
        return _count(one) * unit
    if one in NEXT and _count(two) is not None and word not in SINGULAR:  # "deux prochaines semaines"
        return _count(two) * unit
    if one in NEXT or (after in NEXT and word != "mes"):  # "next month", "le mois prochain"
        return unit
    return None


def _back(two: str, one: str, word: str, after: str, unit: int) -> int | None:
    if two in PAST and _count(one) is not None:  # "last 2 weeks", "letzten 3 Tagen", "ultimi 10 giorni"
        return _count(one) * unit
    if one in PAST and _count(two) is not None and word not in SINGULAR:  # "les 6 derniers mois"
        return _count(two) * unit
    return unit if one in PAST else None  # "past week", "letzten Monat"


def _count(word: str) -> int | None:
    """A number written in digits or as a word of NUMBERS; None for any other word."""
    return int(word) if word.isdigit() else NUMBERS.get(word)
