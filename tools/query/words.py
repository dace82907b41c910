"""The words of a query result's summary in the shop's five languages (tools.language.LANGUAGES).

English is what the model reads; an operator who writes German, French, Spanish or Italian gets the same
figures said in their language where the agent composes the answer (`QueryResult.summary(language)`). The
words are written from the languages, one table per language; names of places, categories and products stay
as the shop's profile and catalogue write them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

METRICS: dict[str, dict[str, str]] = {
    "en": {
        "orders": "orders",
        "revenue": "revenue ({currency})",
        "units": "units",
        "sessions": "sessions",
        "unique_users": "unique users",
        "conversion_rate": "conversion rate",
        "average_order_value": "average order value ({currency})",
        "refunds": "refunds",
        "refund_rate": "refund rate",
        "views": "views",
        "carts": "carts",
        "searches": "searches",
        "events": "events",
    },
    "de": {
        "orders": "Bestellungen",
        "revenue": "Umsatz ({currency})",
        "units": "verkaufte Einheiten",
        "sessions": "Sitzungen",
        "unique_users": "einzelne Besucher",
        "conversion_rate": "Konversionsrate",
        "average_order_value": "durchschnittlicher Bestellwert ({currency})",
        "refunds": "Erstattungen",
        "refund_rate": "Erstattungsquote",
        "views": "Aufrufe",
        "carts": "Warenkörbe",
        "searches": "Suchen",
        "events": "Ereignisse",
    },
    "fr": {
        "orders": "commandes",
        "revenue": "chiffre d'affaires ({currency})",
        "units": "unités vendues",
        "sessions": "sessions",
        "unique_users": "visiteurs uniques",
        "conversion_rate": "taux de conversion",
        "average_order_value": "panier moyen ({currency})",
        "refunds": "remboursements",
        "refund_rate": "taux de remboursement",
        "views": "vues",
        "carts": "paniers",
        "searches": "recherches",
        "events": "événements",
    },
    "es": {
        "orders": "pedidos",
        "revenue": "ingresos ({currency})",
        "units": "unidades vendidas",
        "sessions": "sesiones",
        "unique_users": "visitantes únicos",
        "conversion_rate": "tasa de conversión",
        "average_order_value": "valor medio del pedido ({currency})",
        "refunds": "reembolsos",
        "refund_rate": "tasa de reembolso",
        "views": "visitas",
        "carts": "carritos",
        "searches": "búsquedas",
        "events": "eventos",
    },
    "it": {
        "orders": "ordini",
        "revenue": "fatturato ({currency})",
        "units": "unità vendute",
        "sessions": "sessioni",
        "unique_users": "visitatori unici",
        "conversion_rate": "tasso di conversione",
        "average_order_value": "valore medio dell'ordine ({currency})",
        "refunds": "rimborsi",
        "refund_rate": "tasso di rimborso",
        "views": "visualizzazioni",
        "carts": "carrelli",
        "searches": "ricerche",
        "events": "eventi",
    },
}
# what rows are grouped by; a dimension missing here is written as its column name
DIMENSIONS: dict[str, dict[str, str]] = {
    "en": {},
    "de": {
        "region": "Region",
        "city": "Stadt",
        "country": "Land",
        "category": "Kategorie",
        "product": "Produkt",
        "day_of_week": "Wochentag",
        "hour_of_day": "Uhrzeit",
        "day": "Tag",
        "week": "Woche",
        "month": "Monat",
        "channel": "Kanal",
        "device": "Gerät",
    },
    "fr": {
        "region": "région",
        "city": "ville",
        "country": "pays",
        "category": "catégorie",
        "product": "produit",
        "day_of_week": "jour de la semaine",
        "hour_of_day": "heure",
        "day": "jour",
        "week": "semaine",
        "month": "mois",
        "channel": "canal",
        "device": "appareil",
    },
    "es": {
        "region": "región",
        "city": "ciudad",
        "country": "país",
        "category": "categoría",
        "product": "producto",
        "day_of_week": "día de la semana",
        "hour_of_day": "hora",
        "day": "día",
        "week": "semana",
        "month": "mes",
        "channel": "canal",
        "device": "dispositivo",
    },
    "it": {
        "region": "regione",
        "city": "città",
        "country": "paese",
        "category": "categoria",
        "product": "prodotto",
        "day_of_week": "giorno della settimana",
        "hour_of_day": "ora",
        "day": "giorno",
        "week": "settimana",
        "month": "mese",
        "channel": "canale",
        "device": "dispositivo",
    },
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
}
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "by": " by {dims}",
        "in": "in {places}",
        "category": "category {names}",
        "categories": "categories {names}",
        "product": "product {names}",
        "products": "products {names}",
        "on": "on {days}",
        "hours": "{start:02d}:00-{end:02d}:00 local time",
        "span": "{start} to {end}",
        "all_data": "all data to {end}",
        "no_events": "No events match: {what}, {period}.",
        "top": "top {shown} of {count}",
        "bottom": "bottom {shown} of {count}",
        "lowest_first": ", lowest first",
        "total": "; total {value}",
        "overall": "; overall {value}",
        "highest": "highest {items}",
        "of": " (of {count})",
        "lowest": "; lowest {item}",
        "versus": "{period} vs {start} to {end}",
        "new": "new",
        "week_of": "week of {week}",
        "from_day": " (from {day})",
        "to_day": " (to {day})",
        "none_recorded": "(no {dim} recorded)",
        "unrated": " Amounts in {codes} are left out: the shop's profile has no rate from {codes} into "
        "{currency}.",
    },
    "de": {
        "by": " nach {dims}",
        "in": "in {places}",
        "category": "Kategorie {names}",
        "categories": "Kategorien {names}",
        "product": "Produkt {names}",
        "products": "Produkte {names}",
        "on": "am {days}",
        "hours": "{start:02d}:00-{end:02d}:00 Ortszeit",
        "span": "{start} bis {end}",
        "all_data": "alle Daten bis {end}",
        "no_events": "Keine Ereignisse: {what}, {period}.",
        "top": "die ersten {shown} von {count}",
        "bottom": "die letzten {shown} von {count}",
        "lowest_first": ", die niedrigsten zuerst",
        "total": "; gesamt {value}",
        "overall": "; insgesamt {value}",
        "highest": "am höchsten {items}",
        "of": " (von {count})",
        "lowest": "; am niedrigsten {item}",
        "versus": "{period} gegenüber {start} bis {end}",
        "new": "neu",
        "week_of": "Woche ab {week}",
        "from_day": " (ab {day})",
        "to_day": " (bis {day})",
        "none_recorded": "(ohne {dim})",
        "unrated": " Beträge in {codes} fehlen: das Profil des Shops hat keinen Kurs von {codes} in "
        "{currency}.",
    },
    "fr": {
        "by": " par {dims}",
        "in": "lieu : {places}",
        "category": "catégorie {names}",
        "categories": "catégories {names}",
        "product": "produit {names}",
        "products": "produits {names}",
        "on": "le {days}",
        "hours": "{start:02d}h-{end:02d}h heure locale",
        "span": "du {start} au {end}",
        "all_data": "toutes les données jusqu'au {end}",
        "no_events": "Aucun événement : {what}, {period}.",
        "top": "les {shown} premiers sur {count}",
        "bottom": "les {shown} derniers sur {count}",
        "lowest_first": ", les plus bas d'abord",
        "total": " ; total {value}",
        "overall": " ; au total {value}",
        "highest": "le plus haut {items}",
        "of": " (sur {count})",
        "lowest": " ; le plus bas {item}",
        "versus": "{period} contre du {start} au {end}",
        "new": "nouveau",
        "week_of": "semaine du {week}",
        "from_day": " (depuis le {day})",
        "to_day": " (jusqu'au {day})",
        "none_recorded": "({dim} non renseigné)",
        "unrated": " Les montants en {codes} sont exclus : le profil de la boutique n'a pas de taux de "
        "{codes} en {currency}.",
    },
    "es": {
        "by": " por {dims}",
        "in": "en {places}",
        "category": "categoría {names}",
        "categories": "categorías {names}",
        "product": "producto {names}",
        "products": "productos {names}",
        "on": "el {days}",
        "hours": "{start:02d}:00-{end:02d}:00 hora local",
        "span": "del {start} al {end}",
        "all_data": "todos los datos hasta el {end}",
        "no_events": "Ningún evento: {what}, {period}.",
        "top": "los {shown} primeros de {count}",
        "bottom": "los {shown} últimos de {count}",
        "lowest_first": ", los más bajos primero",
        "total": "; total {value}",
        "overall": "; en total {value}",
        "highest": "más alto {items}",
        "of": " (de {count})",
        "lowest": "; más bajo {item}",
        "versus": "{period} frente a del {start} al {end}",
        "new": "nuevo",
        "week_of": "semana del {week}",
        "from_day": " (desde el {day})",
        "to_day": " (hasta el {day})",
        "none_recorded": "(sin {dim})",
        "unrated": " Los importes en {codes} no se cuentan: el perfil de la tienda no tiene tipo de "
        "cambio de {codes} a {currency}.",
    },
    "it": {
        "by": " per {dims}",
        "in": "in {places}",
        "category": "categoria {names}",
        "categories": "categorie {names}",
        "product": "prodotto {names}",
        "products": "prodotti {names}",
        "on": "il {days}",
        "hours": "{start:02d}:00-{end:02d}:00 ora locale",
        "span": "dal {start} al {end}",
        "all_data": "tutti i dati fino al {end}",
        "no_events": "Nessun evento: {what}, {period}.",
        "top": "i primi {shown} di {count}",
        "bottom": "gli ultimi {shown} di {count}",
        "lowest_first": ", i più bassi prima",
        "total": "; totale {value}",
        "overall": "; in totale {value}",
        "highest": "più alto {items}",
        "of": " (di {count})",
        "lowest": "; più basso {item}",
        "versus": "{period} rispetto al periodo dal {start} al {end}",
        "new": "nuovo",
        "week_of": "settimana del {week}",
        "from_day": " (dal {day})",
        "to_day": " (fino al {day})",
        "none_recorded": "(senza {dim})",
        "unrated": " Gli importi in {codes} sono esclusi: il profilo del negozio non ha un tasso da {codes} "
        "a {currency}.",
    },
}
RATES = ("conversion_rate", "refund_rate")
MONEY = ("revenue", "average_order_value")


def words(language: str) -> dict[str, str]:
    """The phrases of `language` (English for one the tables lack)."""
    return PHRASES.get(language, PHRASES["en"])


def metric_name(metric: str, currency: str, language: str) -> str:
    """What a metric is called in `language`, money in the shop's reporting currency."""
    return METRICS.get(language, METRICS["en"])[metric].format(currency=currency)


def dimension_name(dimension: str, language: str) -> str:
    """What a grouping is called in `language` ("day_of_week": "Wochentag")."""
    return DIMENSIONS.get(language, {}).get(dimension, dimension.replace("_", " "))


def weekday_name(day: str, language: str) -> str:
    """An English weekday ("Friday") in `language` ("Freitag"); other values as they are."""
    english = WEEKDAYS["en"]
    return WEEKDAYS.get(language, english)[english.index(day)] if day in english else day


def number(value: float, decimals: int, language: str, signed: bool = False) -> str:
    """A number as `language` writes it: 1,234.50 in English, 1.234,50 in German, Spanish and Italian,
    1 234,50 in French (a no-break space)."""
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    if language == "en" or language not in PHRASES:
        return text
    grouping = "\u00a0" if language == "fr" else "."
    return text.replace(",", "_").replace(".", ",").replace("_", grouping)


def format_value(metric: str, value: Any, language: str = "en") -> str:
    """A metric value as people write it: 1,830 / 12,345.67 / 3.4% (in `language`: 1.830 / 12.345,67 /
    3,4 %)."""
    if value is None or pd.isna(value):
        return "n/a"
    if metric in RATES:
        return percent(value, language)
    return number(float(value), 2 if metric in MONEY else 0, language)


def percent(share: float, language: str, signed: bool = False) -> str:
    """A share as a percentage with one decimal: 3.4% / +12.5% (3,4 % in German, French and Spanish)."""
    text = number(100 * share, 1, language, signed)
    return f"{text}%" if language in ("en", "it") or language not in PHRASES else f"{text}\u00a0%"
