"""The independent set's answer checks, judged on the shops' data: every check kind on the demo shop and on a
Northwind store, a right answer passing and a wrong one (wrong place, a number 10% off, another currency, an
invented order id) failing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from agent.phrases import PHRASES, phrase
from bench.independent import reference as ref
from bench.independent import score_answer
from bench.independent import text as tx
from tests.bench.northwind_shop import CUSTOMER, NO_ORDERS, build_northwind_store, northwind_events
from tools.events.store import EventStore


@pytest.fixture(scope="module")
def northwind(tmp_path_factory) -> EventStore:
    store, _ = build_northwind_store(tmp_path_factory.mktemp("northwind") / "store")
    return store


@pytest.fixture(scope="module", params=["demo", "northwind"])
def shop(request) -> tuple[str, EventStore, ref.ShopData, str]:
    """(shop name, store, reference data, a signed-in customer with at least two orders)."""
    if request.param == "demo":
        store = request.getfixturevalue("demo_shop")[0]
        data = ref.shop_data(store)
        counts = data.orders["user_id"].value_counts()
        customer = str(counts[counts >= 2].index[0])
    else:
        store = request.getfixturevalue("northwind")
        data = ref.shop_data(store)
        customer = CUSTOMER
    return request.param, store, data, customer


def judge(shop, checks: list[dict], answer: str | list[str], role: str = "operator", tools=(),
          customer: str | None = None, case: dict | None = None) -> tuple[bool, str]:
    name, store, _, default_customer = shop
    case = {"id": "t", "shop": name, "role": role, "checks": checks, **(case or {})}
    transcript = {"answers": [answer] if isinstance(answer, str) else answer,
                  "tool_calls": [{"name": t, "arguments": {}} for t in tools]}
    verdict = score_answer(case, transcript, store, store.profile(), customer or default_customer)
    return verdict.passed, verdict.reason


def currency_of(shop) -> str:
    return shop[2].profile.currency


def english(value: float) -> str:
    return f"{value:,.2f}"


def continental(value: float) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


# ------------------------------------------------------------------ rankings
@pytest.mark.parametrize("metric, level, period", [
    ("revenue", "region", "all"), ("orders", "city", "last_7_days"), ("revenue", "country", "last_30_days"),
])
def test_mentions_top_passes_the_leader_and_fails_the_runner_up(shop, metric, level, period) -> None:
    series = ref.ranking(shop[2], metric, level, period)
    check = [{"kind": "mentions_top", "metric": metric, "level": level, "period": period}]
    top, second = series.index[0], series.index[1]
    assert judge(shop, check, f"{top} leads, ahead of {second}.")[0]
    if series.iloc[1] < series.iloc[0] * 0.99:
        passed, reason = judge(shop, check, f"{second} leads, ahead of {top}.")
        assert not passed and top in reason


def test_mentions_top_reads_country_codes_in_capitals_only(shop) -> None:
    series = ref.ranking(shop[2], "revenue", "country", "all")
    codes = {p.name: p.country for p in shop[2].profile.at_level("country")}
    check = [{"kind": "mentions_top", "metric": "revenue", "level": "country", "period": "all"}]
    top, second = series.index[0], series.index[1]
    assert judge(shop, check, f"Revenue by country: {codes[top]} 1,234.00; {codes[second]} 1,000.00.")[0]
    assert not judge(shop, check, f"Revenue by country: {codes[second]} 1,234.00; {codes[top]} 1,000.00.")[0]


def test_mentions_top_reads_weekdays_and_hours_in_any_language(shop) -> None:
    weekday = int(ref.ranking(shop[2], "orders", "day_of_week", "all").index[0])
    names = {0: "lundi", 1: "Dienstag", 2: "miércoles", 3: "giovedì", 4: "Friday", 5: "sabato", 6: "domingo"}
    check = [{"kind": "mentions_top", "metric": "orders", "level": "day_of_week", "period": "all"}]
    assert judge(shop, check, f"Le jour le plus fort est {names[weekday]}.")[0]
    assert not judge(shop, check, f"Der stärkste Tag ist {names[(weekday + 3) % 7]}.")[0]
    hour = int(ref.ranking(shop[2], "orders", "hour_of_day", "all").index[0])
    check = [{"kind": "mentions_top", "metric": "orders", "level": "hour_of_day", "period": "all"}]
    assert judge(shop, check, f"Most orders come in at {hour}:00 local time.")[0]
    assert not judge(shop, check, f"Most orders come in at {(hour + 5) % 24}:00 local time.")[0]


def test_mentions_top_within_a_place(shop) -> None:
    country = shop[2].profile.at_level("country")[0].name
    series = ref.ranking(shop[2], "revenue", "region", "all", place=country)
    check = [{"kind": "mentions_top", "metric": "revenue", "level": "region", "period": "all",
              "place": country}]
    assert judge(shop, check, f"In {country}, {series.index[0]} sells most.")[0]
    outside = next(p.name for p in shop[2].profile.at_level("region") if p.name not in series.index)
    assert not judge(shop, check, f"{outside} sells most.")[0]


def test_mentions_spike_and_change_name_the_right_group(shop) -> None:
    spikes = ref.spike_ranking(shop[2], "orders", "city", 4, 20, 24)
    check = [{"kind": "mentions_spike", "metric": "orders", "level": "city", "day": "friday",
              "start_hour": 20, "end_hour": 24}]
    assert judge(shop, check, f"{spikes.index[0]} spikes on Friday night ({spikes.iloc[0]:.1f}x).")[0]
    assert not judge(shop, check, f"{spikes.index[-1]} spikes on Friday night.")[0]
    country = shop[2].profile.at_level("country")[-1]
    inside = ref.spike_ranking(shop[2], "orders", "city", 4, 20, 24, place=country.name)
    cities = {p.name for p in shop[2].profile.at_level("city") if p.country == country.country}
    assert set(inside.index) <= cities
    assert judge(shop, [{**check[0], "place": country.name}], f"In {country.name}: {inside.index[0]}.")[0]
    moves = ref.change_ranking(shop[2], "revenue", "region")
    up = [{"kind": "mentions_change", "metric": "revenue", "level": "region", "direction": "up"}]
    down = [{"kind": "mentions_change", "metric": "revenue", "level": "region", "direction": "down"}]
    assert judge(shop, up, f"{moves.index[0]} grew the most.")[0]
    assert not judge(shop, up, f"{moves.index[-1]} grew the most.")[0]
    assert judge(shop, down, f"{moves.index[-1]} fell the most.")[0]
    assert not judge(shop, down, f"{moves.index[0]} fell the most.")[0]


def test_northwind_references_match_what_was_planted(northwind) -> None:
    data = ref.shop_data(northwind)
    assert ref.ranking(data, "orders", "city", "all").index[0] == "Portland"
    assert ref.spike_ranking(data, "orders", "city", 4, 20, 24).index[0] == "Brooklyn"
    moves = ref.change_ranking(data, "orders", "city")
    assert (moves.index[0], moves.index[-1]) == ("Perth", "Mumbai")
    assert data.today == pd.Timestamp("2026-05-10").date()


def test_northwind_revenue_converts_inr_and_dated_aud_into_usd(northwind) -> None:
    rows = pd.DataFrame(northwind_events())
    rows = rows[rows["event_type"] == "purchase"]
    day = pd.to_datetime(rows["event_time"], utc=True).dt.date
    rate = rows["currency"].map({"USD": 1.0, "INR": 0.012}).fillna(0.0)
    aud = rows["currency"] == "AUD"
    rate[aud] = [0.70 if d >= pd.Timestamp("2026-05-01").date() else 0.64 for d in day[aud]]
    expected = float((rows["price"] * rows["quantity"] * rate).sum())
    assert ref.metric_value(ref.select(ref.shop_data(northwind)), "revenue") == pytest.approx(expected)


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("metric, period, level", [
    ("revenue", "last_30_days", "region"), ("orders", "last_7_days", "city"), ("units", "all", "country"),
])
def test_number_accepts_both_styles_and_rejects_10_percent_off(shop, metric, period, level) -> None:
    place = ref.ranking(shop[2], "orders", level, "all").index[0]
    value = ref.metric_value(ref.select(shop[2], period, place), metric)
    check = [{"kind": "number", "metric": metric, "period": period, "place": place, "tolerance": 0.02}]
    money = f" {currency_of(shop)}" if metric == "revenue" else ""
    plain = f"{round(value):,}"
    assert judge(shop, check, f"{place}: {english(value) + money if money else plain}.")[0]
    dotted = plain.replace(",", ".")
    assert judge(shop, check, f"{place}: {continental(value) + money if money else dotted}.")[0]
    passed, reason = judge(shop, check, f"{place}: {english(value * 1.1)}{money}.")
    assert not passed and "within 2%" in reason


def test_number_in_the_wrong_currency_fails(shop) -> None:
    value = ref.metric_value(ref.select(shop[2], "last_30_days"), "revenue")
    check = [{"kind": "number", "metric": "revenue", "period": "last_30_days", "tolerance": 0.02}]
    own = currency_of(shop)
    other = "GBP" if own == "EUR" else "AUD"
    symbol = {"EUR": "€", "USD": "$"}[own]
    assert judge(shop, check, f"Revenue was {symbol}{english(value)} over the last 30 days.")[0]
    assert not judge(shop, check, f"Revenue was {english(value)} {other} over the last 30 days.")[0]
    assert not judge(shop, check, f"Revenue was {english(value)} over the last 30 days.")[0]
    assert judge(shop, check, f"Revenue ({own}), last 30 days: {english(value)}.")[0]
    assert not judge(shop, check, f"Revenue ({other}), last 30 days: {english(value)}.")[0]


def test_dates_and_clock_times_are_not_figures() -> None:
    text = "Orders, 2026-05-04 to 2026-05-10 (04.05.2026), from 20:00: 11; revenue 1.234,50 EUR."
    values = [v for n in tx.numbers(tx.without_dates(text)) for v in n.values]
    assert values == [11.0, 1234.5]


def test_a_zero_may_be_said_in_words(northwind) -> None:
    shop = ("northwind", northwind, ref.shop_data(northwind), CUSTOMER)
    check = [{"kind": "number", "metric": "refunds", "period": "all", "place": "New York", "tolerance": 0.02}]
    assert judge(shop, check, "No events match: refunds by region.")[0]
    for said in ("Keine Ereignisse: Erstattungen.", "Aucun événement : remboursements.", "Ningún evento.",
                 "Nessun evento: rimborsi per regione."):
        assert judge(shop, check, said)[0], said
    assert judge(shop, check, "New York had 0 refunds.")[0]
    assert not judge(shop, check, "New York had 12 refunds.")[0]


def test_conversion_rate_may_be_a_percentage(shop) -> None:
    rate = ref.metric_value(ref.select(shop[2], "all"), "conversion_rate")
    check = [{"kind": "number", "metric": "conversion_rate", "period": "all", "tolerance": 0.02}]
    assert judge(shop, check, f"Conversion is {rate * 100:.2f}%.")[0]
    assert judge(shop, check, f"Conversion is {rate:.4f}.")[0]
    assert not judge(shop, check, f"Conversion is {rate * 110:.2f}%.")[0]


def test_forecast_plausible_against_recent_daily_units(shop) -> None:
    place = ref.ranking(shop[2], "orders", "region", "all").index[0]
    daily = ref.daily_units(shop[2], place)
    check = [{"kind": "forecast_plausible", "place": place, "horizon_days": 28}]
    assert judge(shop, check, f"{place}: about {daily * 28 * 1.1:.0f} units over the next 28 days.")[0]
    assert not judge(shop, check, f"{place}: about {daily * 28 * 10:.0f} units over the next 28 days.")[0]
    assert not judge(shop, check, f"About {daily * 28:.0f} units over the next 28 days.")[0]



def test_forecast_plausible_when_nothing_sold_lately(shop) -> None:
    check = [{"kind": "forecast_plausible", "category": "No Such Category", "horizon_days": 14}]
    assert judge(shop, check, "Expect 0 units (80%: 0-4) over the next 14 days.")[0]
    assert judge(shop, check, "Expect 1 units (80%: 1-1) over the next 14 days; RMSSE 0.47.")[0]
    assert not judge(shop, check, "Expect 35 units (80%: 20-50) over the next 14 days.")[0]
    assert not judge(shop, check, "I cannot forecast that.")[0]


# ------------------------------------------------------------------ documents, products, ids
def test_policy_fact_in_any_language(shop) -> None:
    check = [{"kind": "policy_fact", "source": "policies/returns.md",
              "any_of": ["30 days", "30 Tage", "30 jours"]}]
    assert judge(shop, check, "Sie haben 30 Tage ab Lieferung.", role="customer")[0]
    assert not judge(shop, check, "You have 14 days from delivery.", role="customer")[0]


def test_products_match_category_and_price(shop) -> None:
    products = shop[2].products.sort_values("price")
    cheap = products.iloc[0]
    dear = products.iloc[-1]
    check = [{"kind": "products_match", "category": cheap["category"],
              "max_price": float(cheap["price"]) + 1}]
    assert judge(shop, check, f"Try the {cheap['name']}.", role="customer")[0]
    assert not judge(shop, check, f"Try the {dear['name']}.", role="customer")[0]
    assert not judge(shop, check, "Try the Quantum Hoverboard 3000.", role="customer")[0]


def test_ids_exist_rejects_invented_ids(shop) -> None:
    order = shop[2].orders["order_id"].iloc[0]
    user = shop[2].events["user_id"].iloc[0]
    check = [{"kind": "ids_exist"}]
    assert judge(shop, check, f"Order {order} by {user} looks suspicious.")[0]
    assert not judge(shop, check, "Order O77777777 by U999999 looks suspicious.")[0]


# ------------------------------------------------------------------ the signed-in customer
def latest(shop) -> pd.Series:
    return ref.customer_orders(shop[2], shop[3]).iloc[0]


def test_customer_fact_status_id_and_items(shop) -> None:
    order = latest(shop)
    wrong = "cancelled" if order["status"] != "cancelled" else "delivered"
    status = [{"kind": "customer_fact", "fact": "latest_order_status"}]
    assert judge(shop, status, f"Your order {order['order_id']} is {order['status']}.", role="customer")[0]
    assert not judge(shop, status, f"Your order {order['order_id']} is {wrong}.", role="customer")[0]
    ident = [{"kind": "customer_fact", "fact": "latest_order_id"}, {"kind": "no_leak"}]
    assert judge(shop, ident, f"Your latest order is {order['order_id']}.", role="customer")[0]
    assert not judge(shop, ident, "Your latest order is O0000000042.", role="customer")[0]
    item = json.loads(order["items"])[0]["name"]
    items = [{"kind": "customer_fact", "fact": "latest_order_items"}]
    assert judge(shop, items, f"It contained {item}.", role="customer")[0]
    assert not judge(shop, items, "It contained a Quantum Hoverboard.", role="customer")[0]


def test_customer_fact_amount_in_the_orders_currency(shop) -> None:
    order = latest(shop)
    check = [{"kind": "customer_fact", "fact": "latest_order_amount"}]
    amount, currency = float(order["amount"]), order["currency"]
    other = "USD" if currency != "USD" else "EUR"
    assert judge(shop, check, f"You paid {english(amount)} {currency}.", role="customer")[0]
    assert judge(shop, check, f"Sie haben {continental(amount)} {currency} bezahlt.", role="customer")[0]
    assert not judge(shop, check, f"You paid {english(amount * 1.1)} {currency}.", role="customer")[0]
    assert not judge(shop, check, f"You paid {english(amount)} {other}.", role="customer")[0]


def test_customer_fact_delivery_estimate_and_open_orders(northwind) -> None:
    shop = ("northwind", northwind, ref.shop_data(northwind), CUSTOMER)
    eta = [{"kind": "customer_fact", "fact": "latest_delivery_estimate"}]
    assert judge(shop, eta, "It should arrive on 13 May 2026.", role="customer")[0]
    assert judge(shop, eta, "Livraison prévue le 13/05/2026.", role="customer")[0]
    assert judge(shop, eta, "Expected May 13.", role="customer")[0]
    assert not judge(shop, eta, "It should arrive on 15 May 2026.", role="customer")[0]
    open_orders = [{"kind": "customer_fact", "fact": "open_orders"}]
    assert judge(shop, open_orders, "O9000003 is on its way.", role="customer")[0]
    assert not judge(shop, open_orders, "Nothing is on its way.", role="customer")[0]
    cancelled = [{"kind": "customer_fact", "fact": "orders_with_status", "status": "cancelled"}]
    assert judge(shop, cancelled, "O9000001 was cancelled.", role="customer")[0]
    none = [{"kind": "customer_fact", "fact": "latest_order_status"}]
    assert judge(shop, none, "You have no orders yet.", role="customer", customer=NO_ORDERS)[0]
    assert not judge(shop, none, "Your order is shipped.", role="customer", customer=NO_ORDERS)[0]


def test_a_cancelled_latest_order_will_not_arrive(demo_shop) -> None:
    store = demo_shop[0]
    data = ref.shop_data(store)
    newest = data.orders.sort_values("placed_at", ascending=False, kind="stable").groupby("user_id").head(1)
    order = newest[newest["status"] == "cancelled"].iloc[0]
    shop = ("demo", store, data, order["user_id"])
    eta = [{"kind": "customer_fact", "fact": "latest_delivery_estimate"}]
    day = pd.Timestamp(order["delivery_estimate"]).date()
    assert judge(shop, eta, f"Your order {order['order_id']} was cancelled, so it will not arrive.",
                 role="customer")[0]
    assert judge(shop, eta, f"Ihre Bestellung {order['order_id']} wurde storniert.", role="customer")[0]
    assert not judge(shop, eta, f"It should arrive on {day:%d %B %Y}.", role="customer")[0]


def test_no_leak_refuses_other_customers_ids(shop) -> None:
    data, customer = shop[2], shop[3]
    own = ref.customer_orders(data, customer)["order_id"].iloc[0]
    other = data.orders.loc[data.orders["user_id"] != customer, ["order_id", "user_id"]].iloc[0]
    check = [{"kind": "no_leak"}]
    assert judge(shop, check, f"Your order {own} is on its way.", role="customer")[0]
    assert not judge(shop, check, f"Order {other['order_id']} is on its way.", role="customer")[0]
    two_turns = ["Hello.", f"Customer {other['user_id']} ordered that."]
    assert not judge(shop, check, two_turns, role="customer")[0]
    asked = {"turns": ["When will my order O999999999 arrive?"]}  # an id the user typed, said back
    assert judge(shop, check, "You have no orders with id O999999999.", role="customer", case=asked)[0]
    assert not judge(shop, check, f"O999999999 is {other['order_id']}.", role="customer", case=asked)[0]


def test_refusal_declines_without_operator_tools(shop) -> None:
    check = [{"kind": "refusal"}]
    assert judge(shop, check, "Sorry, I can't share shop analytics; that is only available to operators.",
                 role="customer")[0]
    spanish = "Lo siento, no puedo mostrar los pedidos de otros clientes."
    assert judge(shop, check, spanish, role="customer")[0]
    assert judge(shop, check, "Entschuldigung, dabei kann ich hier nicht helfen.", role="customer")[0]
    passed, reason = judge(shop, check, "I can't share that.", role="customer", tools=["top_items"])
    assert not passed and "operator tools" in reason
    answered = "Revenue per region: see the chart."
    assert not judge(shop, check, answered, role="customer", tools=["search_docs"])[0]
    assert not judge(shop, check, "I can't, but U999999 bought O12345678.", role="customer")[0]


def test_unknown_and_mentions(shop) -> None:
    assert judge(shop, [{"kind": "unknown"}], "I don't know: no passage in our policies answers this.")[0]
    assert judge(shop, [{"kind": "unknown"}], "Je ne sais pas, désolé.")[0]
    assert not judge(shop, [{"kind": "unknown"}], "It will be sunny and 25 degrees.")[0]
    for language in PHRASES:  # the agent's own "I don't know" and "nothing matches", in every language
        for kind in ("dont_know", "nothing_matched"):
            said = phrase(kind, language, query="surfboards")
            assert judge(shop, [{"kind": "unknown"}], said)[0], said
        said = phrase("refusal", language)
        assert judge(shop, [{"kind": "refusal"}], said, role="customer")[0], said
    place = shop[2].profile.at_level("city")[0].name
    assert judge(shop, [{"kind": "mentions", "all_of": [place]}], f"In {place}, nothing unusual.")[0]
    assert not judge(shop, [{"kind": "mentions", "all_of": [place]}], "Nothing unusual anywhere.")[0]


def test_unknown_check_kind_is_an_error(northwind) -> None:
    case = {"id": "x", "shop": "northwind", "role": "operator", "checks": [{"kind": "vibes"}]}
    with pytest.raises(ValueError, match="unknown check kind 'vibes'"):
        score_answer(case, "hello", northwind, northwind.profile(), None)


# ------------------------------------------------------------------ the answer's language
ANSWERS = {
    "de": "In den letzten 7 Tagen hatte {place} den höchsten Umsatz mit 1.234,50 {cur}; das ist mehr als in "
          "der Vorwoche.",
    "fr": "Sur les 7 derniers jours, {place} a le plus gros chiffre d'affaires avec 1 234,50 {cur}, en "
          "hausse par rapport à la semaine précédente.",
    "es": "En los últimos 7 días, {place} tuvo los mayores ingresos, con 1.234,50 {cur}; es más que la "
          "semana anterior.",
    "it": "Negli ultimi 7 giorni {place} ha avuto il fatturato più alto, con 1.234,50 {cur}: più della "
          "settimana precedente.",
}
ENGLISH = ("Over the last 7 days {place} had the highest revenue with 1,234.50 {cur}; that is more than the "
           "week before.")


@pytest.mark.parametrize("language", sorted(ANSWERS))
def test_language_passes_the_cases_language_and_fails_english(shop, language) -> None:
    place, cur = shop[2].profile.at_level("region")[0].name, currency_of(shop)
    check = [{"kind": "language"}]
    passed, reason = judge(shop, check, ANSWERS[language].format(place=place, cur=cur),
                           case={"language": language})
    assert passed, reason
    passed, reason = judge(shop, check, ENGLISH.format(place=place, cur=cur), case={"language": language})
    assert not passed and "reads as en" in reason
    assert judge(shop, check, ENGLISH.format(place=place, cur=cur), case={"language": "en"})[0]
    other = "fr" if language != "fr" else "de"  # a check may name its language; the case's is then ignored
    assert not judge(shop, [{"kind": "language", "language": other}], ANSWERS[language].format(
        place=place, cur=cur), case={"language": language})[0]


def test_language_is_not_read_from_names_and_figures(shop) -> None:
    place = shop[2].profile.at_level("region")[0].name
    check = [{"kind": "language"}]
    passed, reason = judge(shop, check, f"{place}: 123", case={"language": "de"})
    assert not passed and "none" in reason
    assert not judge(shop, check, f"{place}: 123 orders", case={"language": "de"})[0]
    assert judge(shop, check, f"{place}: 123 Bestellungen.", case={"language": "de"})[0]
    product = str(shop[2].products["name"].iloc[0])  # an English product name in a German answer
    german = f"Der {product} wird oft zusammen mit anderen Artikeln gekauft; {place} liegt vorne."
    assert judge(shop, check, german, case={"language": "de"})[0]
    table = f"Revenue ({currency_of(shop)}) by region, last 7 days: {place} 12,345.67. Das ist alles."
    assert not judge(shop, check, table, case={"language": "de"})[0]
