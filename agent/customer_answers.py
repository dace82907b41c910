"""A customer's answer in their own language, from what their tools found: their orders, the products a
search found, the products recommended to them.

The search and recommendation summaries are written for the model: English, with ids, strategies and
filters ("Recommendations for U023317 in Saint-Denis [ALS + context]: ..."). Where the agent composes the
answer itself (agent/composition.py), a customer writing in German gets "Keine Bestellungen auf dem Weg. 10
Bestellungen, die neueste zuerst: O00019185 vom 29.11.2026: storniert, 3,49 EUR ..." instead, with the same
orders, amounts, dates and products (my_orders' facts, the search's and recommendations' cards). The words
are written from the languages, one table per language.
"""

from __future__ import annotations

from datetime import date
from math import isnan
from typing import Any

from tools.registry import ToolOutput

ORDER_WORDS: dict[str, dict[str, str]] = {
    "en": {"on_the_way": "On their way: {orders}.", "none_on_the_way": "No orders on their way.",
           "one": "1 order", "many": "{n} orders", "listed": "{count}, newest first: {orders}",
           "order": "{id} placed {date}: {status}, {amount} ({items}) to {city}{eta}",
           "eta": ", delivery estimate {date}", "no_orders": "You have no orders{which}.",
           "with_status": " with status {status}", "with_id": " with id {id}",
           "placed": "placed", "shipped": "shipped", "delivered": "delivered", "returned": "returned",
           "cancelled": "cancelled"},
    "de": {"on_the_way": "Auf dem Weg zu Ihnen: {orders}.",
           "none_on_the_way": "Keine Bestellungen auf dem Weg.", "one": "1 Bestellung",
           "many": "{n} Bestellungen", "listed": "{count}, die neueste zuerst: {orders}",
           "order": "{id} vom {date}: {status}, {amount} ({items}) nach {city}{eta}",
           "eta": ", voraussichtliche Lieferung {date}", "no_orders": "Sie haben keine Bestellungen{which}.",
           "with_status": " mit dem Status „{status}“", "with_id": " mit der Nummer {id}",
           "placed": "aufgegeben", "shipped": "versandt", "delivered": "zugestellt",
           "returned": "zurückgegeben", "cancelled": "storniert"},
    "fr": {"on_the_way": "En cours de route : {orders}.",
           "none_on_the_way": "Aucune commande en cours de route.", "one": "1 commande",
           "many": "{n} commandes", "listed": "{count}, la plus récente d'abord : {orders}",
           "order": "{id} du {date} : {status}, {amount} ({items}) pour {city}{eta}",
           "eta": ", livraison prévue le {date}", "no_orders": "Vous n'avez aucune commande{which}.",
           "with_status": " au statut « {status} »", "with_id": " portant le numéro {id}",
           "placed": "enregistrée", "shipped": "expédiée", "delivered": "livrée", "returned": "retournée",
           "cancelled": "annulée"},
    "es": {"on_the_way": "En camino: {orders}.", "none_on_the_way": "No tiene pedidos en camino.",
           "one": "1 pedido", "many": "{n} pedidos", "listed": "{count}, el más reciente primero: {orders}",
           "order": "{id} del {date}: {status}, {amount} ({items}) a {city}{eta}",
           "eta": ", entrega prevista el {date}", "no_orders": "No tiene pedidos{which}.",
           "with_status": " con el estado «{status}»", "with_id": " con el número {id}",
           "placed": "registrado", "shipped": "enviado", "delivered": "entregado", "returned": "devuelto",
           "cancelled": "cancelado"},
    "it": {"on_the_way": "In arrivo: {orders}.", "none_on_the_way": "Nessun ordine in arrivo.",
           "one": "1 ordine", "many": "{n} ordini", "listed": "{count}, dal più recente: {orders}",
           "order": "{id} del {date}: {status}, {amount} ({items}) a {city}{eta}",
           "eta": ", consegna prevista il {date}", "no_orders": "Non ha ordini{which}.",
           "with_status": " con lo stato «{status}»", "with_id": " con il numero {id}",
           "placed": "registrato", "shipped": "spedito", "delivered": "consegnato", "returned": "reso",
           "cancelled": "annullato"},
}
PRODUCT_WORDS: dict[str, dict[str, str]] = {
    "en": {"found_one": "I found 1 product: {items}.", "found": "I found {n} products: {items}.",
           "liked": "You might like: {items}.", "goes_with": "Goes well with {product}: {items}.",
           "none_to_recommend": "I have nothing to recommend yet.", "out_of_stock": "out of stock"},
    "de": {"found_one": "Ich habe 1 Produkt gefunden: {items}.",
           "found": "Ich habe {n} Produkte gefunden: {items}.",
           "liked": "Das könnte Ihnen gefallen: {items}.", "goes_with": "Passt gut zu {product}: {items}.",
           "none_to_recommend": "Ich habe noch keine Empfehlungen für Sie.",
           "out_of_stock": "nicht vorrätig"},
    "fr": {"found_one": "J'ai trouvé 1 produit : {items}.", "found": "J'ai trouvé {n} produits : {items}.",
           "liked": "Ceci pourrait vous plaire : {items}.",
           "goes_with": "Va bien avec {product} : {items}.",
           "none_to_recommend": "Je n'ai encore rien à vous recommander.",
           "out_of_stock": "en rupture de stock"},
    "es": {"found_one": "He encontrado 1 producto: {items}.",
           "found": "He encontrado {n} productos: {items}.", "liked": "Le pueden gustar: {items}.",
           "goes_with": "Combina bien con {product}: {items}.",
           "none_to_recommend": "Todavía no tengo nada que recomendarle.", "out_of_stock": "agotado"},
    "it": {"found_one": "Ho trovato 1 prodotto: {items}.", "found": "Ho trovato {n} prodotti: {items}.",
           "liked": "Potrebbero piacerle: {items}.", "goes_with": "Si abbina bene a {product}: {items}.",
           "none_to_recommend": "Non ho ancora nulla da consigliarle.", "out_of_stock": "esaurito"},
}
DATE_FORMATS = {"en": "%d %b %Y", "de": "%d.%m.%Y", "fr": "%d/%m/%Y", "es": "%d/%m/%Y", "it": "%d/%m/%Y"}
LISTED_PRODUCTS = 5  # products named in an answer; the cards show them all


def customer_answer(output: ToolOutput, language: str) -> str | None:
    """What a customer's tool found, said in `language` (a code of tools.language.LANGUAGES); None for a
    tool whose answer is not composed here (or an output without the facts it needs)."""
    if output.tool == "my_orders" and "orders" in output.facts:
        return orders_answer(output.facts, language)
    if output.tool in ("search_products", "my_recommendations") and output.cards:
        return products_answer(output, language)
    if output.tool == "my_recommendations":
        return PRODUCT_WORDS.get(language, PRODUCT_WORDS["en"])["none_to_recommend"]
    return None


def orders_answer(facts: dict[str, Any], language: str) -> str:
    """The customer's orders (my_orders' facts): those on their way first when all were asked for, then
    each with its date, status, amount, items, city and delivery estimate; those of one status, said so."""
    words = ORDER_WORDS.get(language, ORDER_WORDS["en"])
    orders, status = facts["orders"], facts.get("status")
    with_status = words["with_status"].format(status=words.get(status, status)) if status else ""
    if not orders:
        which = with_status + (words["with_id"].format(id=facts["order_id"]) if facts.get("order_id") else "")
        return words["no_orders"].format(which=which)
    lines, on_the_way = [], []
    for order in orders:
        eta = (words["eta"].format(date=_day(order["eta"], language))
               if order["open"] and order.get("eta") else "")
        status = words.get(order["status"], order["status"])
        lines.append(words["order"].format(
            id=order["order_id"], date=_day(order["placed"], language), status=status,
            amount=money(order["amount"], order["currency"], language),
            items=", ".join(f"{quantity} x {name}" for quantity, name in order["items"]), city=order["city"],
            eta=eta))
        if order["open"]:
            on_the_way.append(f"{order['order_id']} ({status}{eta})")
    count = (words["one"] if len(orders) == 1 else words["many"].format(n=len(orders))) + with_status
    text = words["listed"].format(count=count, orders="; ".join(lines))
    if facts.get("all"):  # "where is my order?" is about the open ones: named first
        head = (words["on_the_way"].format(orders=", ".join(on_the_way)) if on_the_way
                else words["none_on_the_way"])
        text = f"{head} {text}"
    return text


def products_answer(output: ToolOutput, language: str) -> str:
    """The products of a search or a recommendation (their cards), named with their prices."""
    words = PRODUCT_WORDS.get(language, PRODUCT_WORDS["en"])
    items = []
    for card in output.cards[:LISTED_PRODUCTS]:
        price = card.get("price")
        known = price is not None and not isnan(price)  # an ingested catalogue may lack prices
        details = [money(price, card.get("currency") or "", language)] if known else []
        details += [words["out_of_stock"]] if card.get("in_stock") is False else []
        name = card.get("name") or card["product_id"]
        items.append(f"{name} ({', '.join(details)})" if details else name)
    listed = "; ".join(items)
    if output.tool == "search_products":
        found = "found_one" if len(output.cards) == 1 else "found"
        return words[found].format(n=len(output.cards), items=listed)
    product = output.facts.get("for_product")
    return words["goes_with"].format(product=product, items=listed) if product else words["liked"].format(
        items=listed)


def money(amount: float, currency: str, language: str) -> str:
    """An amount as `language` writes it: 1234.50 EUR in English, 1.234,50 EUR in German, Spanish and
    Italian, 1234,50 EUR in French."""
    if language == "en":
        return f"{amount:.2f} {currency}".strip()
    grouped = f"{amount:,.2f}".replace(",", "_").replace(".", ",")
    return f"{grouped.replace('_', '' if language == 'fr' else '.')} {currency}".strip()


def _day(iso: str, language: str) -> str:
    return date.fromisoformat(iso[:10]).strftime(DATE_FORMATS.get(language, DATE_FORMATS["en"]))

