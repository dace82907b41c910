"""The highest price a question names, in the shop's five languages: "under 150", "unter 50 Euro", "à moins de
60 euros", "por menos de 100 €", "sotto i 40 euro".

`turn_values` holds a call's `max_price` to it: with a category named by an alias ("a cheap tent"), the 0.5B
model wrote the category and closed the call without the price the customer gave. "Anything cheaper?" after
a product search caps the price below the cheapest product it listed (`cheaper_caps`).
"""

from __future__ import annotations

import re

from tools.results import LISTED_PRICE

# a bound on either side of the amount: "max 50", "50 max"
_AT_MOST = r"max(?:imum)?|höchstens|hoechstens|maximal|como máximo|como maximo|al massimo|massimo"
_BELOW = (
    rf"under|below|less than|cheaper than|up to|at most|no more than|{_AT_MOST}|"
    r"unter|bis|weniger als|billiger als|"
    r"moins de|en dessous de|jusqu'à|jusqu'a|au plus|"
    r"menos de|por debajo de|hasta|"
    r"meno di|sotto i|sotto|fino a|"
    r"not over|not above|nicht mehr als|nicht über|pas plus de|no más de|no mas de|no pasen de|no pase de|"
    r"non più di|non piu di"
)
# a bound after the amount: "30 balles max", "50 € maximum", "80 dollars or less", "100 Euro höchstens"
_BELOW_AFTER = rf"{_AT_MOST}|tops|or less|oder weniger|au maximum|ou moins|o menos|o meno"
# what a number below a bound may also measure: a share, a weight, a size, a time
_NOT_MONEY = (r"%|kg|g|cm|mm|m|km|l|ml|h|hours?|days?|weeks?|tage|stunden|jours|heures|días|dias|horas|"
              r"giorni|ore")
_AMOUNT = re.compile(
    rf"\b(?:{_BELOW})\s*(?:[€$£]\s*)?(\d{{1,6}}(?:[.,]\d{{1,2}})?)(?![\d.,%])(?!\s*(?:{_NOT_MONEY})\b)",
    re.IGNORECASE,
)


# A price compared with what the answer before showed ("anything cheaper?", "vous avez moins cher ?")
CHEAPER = re.compile(r"\b(?:cheaper|less expensive|(?:günstiger|billiger|preiswerter)(?:e[nmrs]?)?|"
                     r"moins ch(?:er|ère)s?|más barat[oa]s?|más económic[oa]s?|più economic[aio]|"
                     r"meno car[oa])(?!\w)", re.IGNORECASE)


def cheaper_caps(text: str, earlier: str) -> tuple[float, ...]:
    """A cap a cent below the cheapest product the earlier turn listed (`earlier`: its results or its answer,
    in any language's amounts), when `text` asks for something cheaper and gives no amount ("vous avez moins
    cher ?"); none otherwise."""
    listed = [int(re.sub(r"\D", "", m["price"])) / 100 for m in LISTED_PRICE.finditer(earlier)]  # 2 decimals
    if not listed or not CHEAPER.search(text) or price_caps(text):
        return ()
    return (round(min(listed) - 0.01, 2),) if min(listed) > 0.01 else ()


def price_caps(text: str) -> tuple[float, ...]:
    """The amounts `text` gives as an upper price bound, before ("under 150") or after it ("30 balles max"),
    in order (none when it names none)."""
    found = [(m.start(), m.group(1)) for pattern in (_AMOUNT, _AMOUNT_BOUNDED)
             for m in pattern.finditer(text)]
    return tuple(float(amount.replace(",", ".")) for _, amount in sorted(found))


# words around a price that ask for nothing themselves ("was günstigeres?", "anything cheaper?")
_FILLERS = frozenset(("was", "etwas", "any", "anything", "something", "else", "have", "you", "got", "habt",
                      "ihr", "auch", "noch", "vous", "avez", "quelque", "chose", "plus", "algo", "tienen",
                      "tenéis", "hay", "qualcosa", "avete", "che", "più", "más", "moins"))
_CURRENCY_WORDS = frozenset((
    "eur", "euro", "euros", "usd", "dollar", "dollars", "dollari", "dólar", "dólares", "gbp", "pound",
    "pounds", "sterline", "libras", "livres", "franken", "francs", "inr", "rupees", "rupie", "aud", "cad",
    "chf", "bucks", "quid", "pavos", "pelas", "balles", "mäuse"))  # and the slang for them


_CURRENCY = "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True))
_AMOUNT_BOUNDED = re.compile(
    rf"(?<![\d.,])(\d{{1,6}}(?:[.,]\d{{1,2}})?)\s*(?:[€$£]|{_CURRENCY})?\s*(?:{_BELOW_AFTER})(?!\w)",
    re.IGNORECASE)


def only_a_price(text: str) -> bool:
    """Whether `text` names nothing but an amount or a cheaper price ("120 dollari", "under 40 EUR", "was
    günstigeres?"): a product search for it finds nothing the customer asked for."""
    cheaper = CHEAPER.search(text)
    bare = re.sub(rf"\b(?:{_BELOW})\b", " ", CHEAPER.sub(" ", text), flags=re.IGNORECASE)  # "menos de"
    rest = [w for w in re.findall(r"[^\W\d_]{3,}", bare.lower()) if w not in _CURRENCY_WORDS | _FILLERS]
    return bool(re.search(r"\d", text) or cheaper) and not rest
