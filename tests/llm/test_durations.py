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
    ("previsione per i prossimi 14 gg", (14,)),
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


@pytest.mark.parametrize(("text", "days"), [
    ("any fraud in the last 2 weeks?", (14,)), ("Betrug in den letzten 3 Tagen?", (3,)),
    ("fraudes des 6 derniers mois", (180,)), ("anomalías de los últimos 10 días", (10,)),
    ("anomalie nelle ultime due settimane", (14,)), ("complaints over the past week", (7,)),
    ("forecast the next 2 weeks", ()), ("fraud today", ()),
])
def test_a_span_looking_back_is_read_in_days(text: str, days: tuple[int, ...]) -> None:
    from agent.llm.durations import lookbacks_in_days

    assert lookbacks_in_days(text) == days


@pytest.mark.parametrize("profile", ["demo", "usa"])
def test_a_look_back_window_covers_the_span_the_user_gives(profile: str) -> None:
    """"any fraud in the last 2 weeks?" had looked back 24 hours: the window is the shortest that covers the
    span, on either shop."""
    from agent.llm.mentions import Mentions
    from agent.llm.turn_values import narrowed_tools
    from tools.agent_tools import build_registry
    from tools.events.profile import Place, ShopProfile
    from tools.events.simulate.profile import demo_profile

    shop = demo_profile() if profile == "demo" else ShopProfile(currency="USD", places=(
        Place("country", "United States", "US", "America/New_York", code="US"),))
    tools = build_registry(None, profile=shop).schemas("operator")

    def since(question: str) -> list[str]:
        (fraud,) = [t for t in narrowed_tools(tools, Mentions(question, "", question, ""))
                    if t["function"]["name"] == "detect_fraud"]
        return fraud["function"]["parameters"]["properties"]["since"]["enum"]

    assert since("any fraud in the last 2 weeks?") == ["30d"]
    assert since("Betrug in den letzten 3 Tagen?") == ["7d"]
    assert since("frodi degli ultimi 6 mesi") == ["90d"]  # longer than any window: the longest
    assert since("fraud today") == ["24h"]  # a choice word names it
    assert len(since("any fraud?")) == 4  # nothing said: any
