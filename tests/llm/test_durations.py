"""How many days ahead a question asks for, in the shop's five languages."""

from __future__ import annotations

import pytest

from agent.llm.durations import durations_in_days


@pytest.mark.parametrize(("text", "days"), [
    ("forecast the whole shop for 14 days", (14,)),
    ("demand for tents over the next four weeks", (28,)),
    ("30-day forecast for Bavaria", (30,)),
    ("next quarter, please", (90,)),
    ("Prognose für Stiefel in Berlin, die nächsten 28 Tage.", (28,)),
    ("Wie viel verkaufen wir in 3 Monaten?", (90,)),
    ("Prévision pour les deux prochaines semaines", (14,)),
    ("et le mois prochain ?", (30,)),
    ("Previsión para las próximas dos semanas", (14,)),
    ("previsione per il prossimo mese", (30,)),
    ("next week and the next 2 months", (7, 60)),
    ("Forecast Zarora Perfume 4 next week", (7,)),
])
def test_a_forward_span_is_read_in_days(text: str, days: tuple[int, ...]) -> None:
    assert durations_in_days(text) == days


@pytest.mark.parametrize("text", [
    "orders in the last 30 days", "les 7 derniers jours", "ultimi 7 giorni", "die letzten 7 Tage",
    "revenue this week", "units per day", "how many orders a day", "mes prochaines commandes",
])
def test_a_look_back_a_rate_or_a_word_that_only_looks_like_a_unit_is_no_span(text: str) -> None:
    assert durations_in_days(text) == ()
