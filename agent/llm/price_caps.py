"""The highest price a question names, in the shop's five languages: "under 150", "unter 50 Euro", "à moins de
60 euros", "por menos de 100 €", "sotto i 40 euro".

`turn_values` holds a call's `max_price` to it: with a category named by an alias ("a cheap tent"), the 0.5B
model wrote the category and closed the call without the price the customer gave.
"""

from __future__ import annotations

import re

_BELOW = (
    r"under|below|less than|cheaper than|up to|at most|max(?:imum)?|no more than|"
    r"unter|bis|weniger als|billiger als|höchstens|hoechstens|maximal|"
    r"moins de|en dessous de|jusqu'à|jusqu'a|au plus|"
    r"menos de|por debajo de|hasta|como máximo|como maximo|"
    r"meno di|sotto i|sotto|fino a|al massimo|massimo"
)
# what a number below a bound may also measure: a share, a weight, a size, a time
_NOT_MONEY = (r"%|kg|g|cm|mm|m|km|l|ml|h|hours?|days?|weeks?|tage|stunden|jours|heures|días|dias|horas|"
              r"giorni|ore")
_AMOUNT = re.compile(
    rf"\b(?:{_BELOW})\s*(?:[€$£]\s*)?(\d{{1,6}}(?:[.,]\d{{1,2}})?)(?![\d.,%])(?!\s*(?:{_NOT_MONEY})\b)",
    re.IGNORECASE,
)


def price_caps(text: str) -> tuple[float, ...]:
    """The amounts `text` gives as an upper price bound, in order (none when it names none)."""
    return tuple(float(match.replace(",", ".")) for match in _AMOUNT.findall(text))


_CURRENCY_WORDS = frozenset((
    "eur", "euro", "euros", "usd", "dollar", "dollars", "dollari", "dólar", "dólares", "gbp", "pound",
    "pounds", "sterline", "libras", "livres", "franken", "francs", "inr", "rupees", "rupie", "aud", "cad",
    "chf"))


def only_a_price(text: str) -> bool:
    """Whether `text` names nothing but an amount ("120 dollari", "under 40 EUR"): a product search for it
    finds nothing the customer asked for."""
    words = re.findall(r"[^\W\d_]{3,}", text.lower())
    rest = [w for w in words if w not in _CURRENCY_WORDS and not re.fullmatch(_BELOW, w)]
    return bool(re.search(r"\d", text)) and not rest
