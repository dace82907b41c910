"""A customer's composed answer is said in their language with the same orders, amounts, dates and products
the tools found (agent/customer_answers.py)."""

from __future__ import annotations

import pytest

from agent.composition import compose_answer
from agent.customer_answers import customer_answer, money, orders_answer
from tools.language import LANGUAGES
from tools.registry import ToolOutput, ToolStep

ORDERS = {"all": True, "orders": [
    {"order_id": "O0000002", "placed": "2026-11-29", "status": "shipped", "amount": 1234.5, "currency": "USD",
     "items": [(2, "Ridge Headlamp")], "city": "Portland", "eta": "2026-12-04", "open": True},
    {"order_id": "O0000001", "placed": "2026-10-02", "status": "cancelled", "amount": 3.49, "currency": "USD",
     "items": [(1, "Basin Camp Mug")], "city": "Perth", "eta": "2026-10-06", "open": False}]}
SHIPPED = {"en": "shipped", "de": "versandt", "fr": "expédiée", "es": "enviado", "it": "spedito"}
CANCELLED = {"en": "cancelled", "de": "storniert", "fr": "annulée", "es": "cancelado", "it": "annullato"}
ESTIMATE = {"en": "04 Dec 2026", "de": "04.12.2026", "fr": "04/12/2026", "es": "04/12/2026",
            "it": "04/12/2026"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_orders_are_said_with_their_ids_amounts_dates_and_statuses_in_each_language(language) -> None:
    text = orders_answer(ORDERS, language)
    assert text.index("O0000002") < text.index("O0000001")  # the one on its way first, then newest first
    assert money(1234.5, "USD", language) in text and money(3.49, "USD", language) in text
    assert SHIPPED[language] in text and CANCELLED[language] in text and ESTIMATE[language] in text
    assert "2 x Ridge Headlamp" in text and "Portland" in text
    assert text.count(ESTIMATE[language]) == 2  # in the head and the line; a cancelled order has none


def test_amounts_are_written_as_each_language_writes_them() -> None:
    assert money(1234.5, "EUR", "en") == "1234.50 EUR"
    assert money(1234.5, "EUR", "de") == "1.234,50 EUR" == money(1234.5, "EUR", "it")
    assert money(1234.5, "EUR", "fr") == "1234,50 EUR"


def test_no_orders_names_what_was_asked_for() -> None:
    returned, one = {"orders": [], "status": "returned"}, {"orders": [], "order_id": "O1"}
    assert orders_answer(returned, "en") == "You have no orders with status returned."
    assert orders_answer(one, "fr") == "Vous n'avez aucune commande portant le numéro O1."
    assert "„zurückgegeben“" in orders_answer({"orders": [], "status": "returned"}, "de")


def test_products_found_or_recommended_are_named_with_their_prices() -> None:
    cards = [{"product_id": "P1", "name": "Trail Pack 20", "price": 49.9, "currency": "EUR",
              "in_stock": True},
             {"product_id": "P2", "name": "", "price": float("nan"), "currency": "EUR", "in_stock": False}]
    found = ToolOutput("search_products", "2 products ...", cards=cards, facts={"query": "Rucksack"})
    assert customer_answer(found, "de") == ("Ich habe 2 Produkte gefunden: Trail Pack 20 (49,90 EUR); "
                                            "P2 (nicht vorrätig).")  # no name, no price: the id alone
    one = ToolOutput("search_products", "1 product ...", cards=cards[:1], facts={"query": "Rucksack"})
    assert customer_answer(one, "fr") == "J'ai trouvé 1 produit : Trail Pack 20 (49,90 EUR)."
    with_it = ToolOutput("my_recommendations", "Bought with P9 ...", cards=cards[:1],
                         facts={"for_product": "Ridge Headlamp"})
    assert customer_answer(with_it, "it") == "Si abbina bene a Ridge Headlamp: Trail Pack 20 (49,90 EUR)."
    liked = ToolOutput("my_recommendations", "Recommendations for U1 [ALS]: ...", cards=cards[:1])
    assert customer_answer(liked, "es") == "Le pueden gustar: Trail Pack 20 (49,90 EUR)."
    assert "U1" not in customer_answer(liked, "en") and "ALS" not in customer_answer(liked, "en")
    nothing = ToolOutput("my_recommendations", "Recommendations for U1: nothing to recommend.")
    assert customer_answer(nothing, "it") == "Non ho ancora nulla da consigliarle."
    assert customer_answer(ToolOutput("top_items", "Revenue: 5"), "de") is None  # an operator's tool


def test_a_composed_answer_says_the_orders_in_the_questions_language() -> None:
    output = ToolOutput("my_orders", orders_answer(ORDERS, "en"), facts=ORDERS)
    step = ToolStep("my_orders", {}, "done", 0.1, output)
    assert compose_answer([step], "es").startswith("En camino: O0000002 (enviado, entrega prevista el "
                                                   "04/12/2026).")
    assert compose_answer([step], "en") == orders_answer(ORDERS, "en")


def test_recommendations_for_a_product_nothing_is_bought_with_are_the_customers_own() -> None:
    """"cosa si abbina?" for a product no basket shares had been "Non ho ancora nulla da consigliarle"."""
    from types import SimpleNamespace

    import pandas as pd

    from tools.agent_tools.customer import my_recommendations
    from tools.recommend.result import RecommendationResult
    from tools.registry import Session, ToolRegistry

    def result(rows: list[tuple[str, str]]) -> RecommendationResult:
        frame = pd.DataFrame([{"product_id": p, "name": n, "category": "Packs", "price": 9.5, "score": 1.0,
                               "reason": "popular"} for p, n in rows])
        return RecommendationResult(frame, "Recommendations", "ALS", currency="EUR")

    baskets = {"P1": [("P2", "Trail Mug")], "P3": []}
    recommender = SimpleNamespace(bought_together=lambda product, n: result(baskets[product]),
                                  recommend_for_user=lambda user, n: result([("P9", "Camp Stove")]))
    engines = SimpleNamespace(recommender=recommender, resolve_product=lambda text: (text, f"Product {text}"))
    registry = ToolRegistry([my_recommendations], engines=engines)
    with_it = registry.call("my_recommendations", {"product": "P1"}, Session("customer", "U1"))
    assert customer_answer(with_it, "de") == "Passt gut zu Product P1: Trail Mug (9,50 EUR)."
    alone = registry.call("my_recommendations", {"product": "P3"}, Session("customer", "U1"))
    assert customer_answer(alone, "it") == "Potrebbero piacerle: Camp Stove (9,50 EUR)."


def test_orders_of_one_status_are_said_to_be_of_that_status() -> None:
    cancelled = {"orders": [ORDERS["orders"][1]], "status": "cancelled"}
    assert orders_answer(cancelled, "en").startswith("1 order with status cancelled, newest first: O0000001")
    assert orders_answer(cancelled, "de").startswith("1 Bestellung mit dem Status „storniert“")
