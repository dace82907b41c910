"""What a follow-up points at: a place the turn before named, or a row of the ranking its answer gave.

"Forecast demand there" after the top regions means the leading region; "the second one", the runner-up;
"that category", "esa categoría" or "la première ville du classement", that ranking's row; "what sells
together with it?" after the top products, the leading product. The 0.5B model filled such a call with
whichever name of the answer it liked (the third region, a product further down) or with none, and read
"cette catégorie" as a ranking by category. So a turn's answer keeps the last ranking its tools gave
(`ranking`, stored with the answer by the agent), `referent` reads which row of it a follow-up points at,
and turn_values holds the call's place, category or product to that row. `POINTERS` are the phrases that
point at a row or a place, which name no grouping ("that city" is no ranking by city).

The words are written from the five languages, each language's own pairs ("Quel pays a le plus de
commandes ?" asks which country: French "quel" is no Italian "that"), and matched on plain words (lower case,
no accents), except the place adverbs that are other words without their accents ("là", "lì").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from tools.language import unaccented
from tools.registry import CATEGORIES_SET, PLACES_SET, PRODUCTS_SET, ToolOutput, ToolStep

RANKED = "ranked"  # where an answer's message keeps its ranking: {"level": "region", "names": [...]}
RANKED_ROWS = 10  # the rows kept: "the third one" needs no more
PLACE_LEVELS = ("region", "city", "country")
LEVEL_SETS = {"region": PLACES_SET, "city": PLACES_SET, "country": PLACES_SET, "category": CATEGORIES_SET,
              "product": PRODUCTS_SET}

# Per language: the words that point ("that", "diese", "cette", "esa", "quella"), then each level's nouns
_LANGUAGES: tuple[tuple[str, dict[str, str]], ...] = (
    (r"that|this|those|these|the same", {
        "region": r"regions?|states?|provinces?|areas?|places?|zones?", "city": r"city|cities|towns?",
        "country": r"country|countries|markets?", "category": r"categor(?:y|ies)",
        "product": r"products?|items?|articles?"}),
    (r"diese[rmns]?|jene[rmns]?|derselben?|dieselben?|demselben", {
        "region": r"regionen|region|bundeslander|bundesland|provinz(?:en)?|gegend|zone",
        "city": r"stadt|stadte",
        "country": r"land|lander|landern", "category": r"kategorien?", "product": r"produkte?n?|artikel"}),
    (r"ce|cet|cette|ces", {
        "region": r"regions?|provinces?|zones?", "city": r"villes?", "country": r"pays",
        "category": r"categories?", "product": r"produits?|articles?"}),
    (r"ese|esa|esos|esas|este|esta|estos|estas|dicho|dicha", {
        "region": r"region|regiones|provincias?|comunidad(?:es)?|zonas?", "city": r"ciudad|ciudades",
        "country": r"pais|paises", "category": r"categorias?", "product": r"productos?|articulos?"}),
    (r"quel|quello|quella|quei|quelle|questo|questa|questi|queste", {
        "region": r"regione|regioni|provincia|provincie|zona|zone", "city": r"citta",
        "country": r"paese|paesi",
        "category": r"categori[ae]", "product": r"prodott[oi]|articol[oi]"}),
)
_SAME = r"(?:same |meme |memes |mismo |misma |stess[oaie] )?"
_POINTED_NOUN = {
    level: re.compile("|".join(rf"\b(?:{that}) {_SAME}(?:{nouns[level]})\b" for that, nouns in _LANGUAGES))
    for level in LEVEL_SETS}
_ANY_NOUN = "|".join(nouns[level] for _, nouns in _LANGUAGES for level in LEVEL_SETS)
# "the second one", "die zweite Stadt", "la première ville du classement", "el segundo", "il terzo": a row
# by its rank, when what follows names a row or the list ("the first week", "la prima volta" do not)
_ORDINALS = {0: r"first|1st|erste[nrms]?|premier|premiere|primer|primero|primera|primo|prima",
             1: r"second|2nd|runner up|zweite[nrms]?|deuxieme|seconde?|segundo|segunda|secondo|seconda",
             2: r"third|3rd|dritte[nrms]?|troisieme|tercer|tercero|tercera|terzo|terza"}
_ARTICLE = r"the|der|die|das|den|dem|des|le|la|l|les|el|lo|il"
_ROW_FOLLOWS = (rf"(?: ones?\b|$| [:;,.!?]| (?:{_ANY_NOUN})\b| (?:on|in|of|from|for|too|auf|aus|der|fur|"
                r"auch|de|du|des|sur|dans|pour|aussi|en|del|para|tambien|della|dalla|nella|di|per|anche)\b)")
_ORDINAL = {rank: re.compile(rf"\b(?:{_ARTICLE}) (?:{words}){_ROW_FOLLOWS}")
            for rank, words in _ORDINALS.items()}
# "with it", "dazu", "avec ça", "con eso", "con quello": a category or product of the ranking, unnamed
_PRONOUN = re.compile(
    r"\b(?:(?:with|for|of|about|on) (?:it|that one|this one)|dazu|damit|davon|dafur|daruber|"
    r"(?:avec|pour|de) (?:ca|lui|celui ci|celui la|celle ci|celle la)|"
    r"(?:con|para|de) (?:eso|ello|ese|esa)|(?:con|insieme a|di) (?:quello|quella|esso|essa))\b")
# "there" (not "is there any ..."), "dort", "là", "allí", "lì": a place of the turn before
_PLACE_ADVERB = re.compile(
    r"\b(?:(?<!is )(?<!are )(?<!was )(?<!were )(?<!any )there(?! is| are| was| were| been)|dort|dorthin|"
    r"là|là-bas|allí|allá|ahí|lì)(?!\w)", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’]")
_MARKS = re.compile(r"([:;,.!?¿¡])")
POINTERS: tuple[re.Pattern[str], ...] = (*_POINTED_NOUN.values(), *_ORDINAL.values())


def plain(text: str) -> str:
    """`text` as the pointers are matched: its plain words (lower case, no accents), one space apart, and its
    punctuation as words of its own ("il secondo: che fatturato?" names the second row)."""
    return " ".join(_MARKS.sub(r" \1 ", _APOSTROPHE.sub(" ", unaccented(text))).split())


def points_at_place(text: str) -> bool:
    """Whether a message points at a place ("forecast demand there", "dort auch?", "e in quella regione?")."""
    if _PLACE_ADVERB.search(text):
        return True
    words = plain(text)
    return any(_POINTED_NOUN[level].search(words) for level in PLACE_LEVELS)


def points_at_row(text: str) -> bool:
    """Whether a message points at a category, a product or a rank ("that category", "der zweite")."""
    words = plain(text)
    return any(pattern.search(words) for pattern in (_POINTED_NOUN["category"], _POINTED_NOUN["product"],
                                                     *_ORDINAL.values()))


def ranking(output: ToolOutput) -> dict[str, Any] | None:
    """The ranking a tool's output gives, its first rows in the order shown ({"level": "region", "names":
    ["Berlin", ...]}; a product as "name (id)"), or None for output that ranks no places, categories or
    products (a forecast, a ranking by hour)."""
    frame = output.frame
    if frame is None or frame.empty:
        return None
    column = str(frame.columns[0])
    level = "product" if column == "product_id" else column
    if level not in LEVEL_SETS:
        return None
    rows = frame.head(RANKED_ROWS)
    names = [str(value) for value in rows[column]]
    if "product_name" in rows:
        names = [f"{name} ({value})" for name, value in zip(rows["product_name"], names, strict=True)]
    return {"level": level, "names": names}


def last_ranking(steps: Sequence[ToolStep]) -> dict[str, Any] | None:
    """The ranking of the last of `steps` (a turn's tool steps) that gave one (see `ranking`), with the place
    its call was held to ("scope": the cities of New York are ranked inside New York), or None."""
    done = [step for step in steps if step.status == "done" and step.output is not None]
    for step in reversed(done):
        if ranked := ranking(step.output):
            return {**ranked, "scope": step.arguments.get("place")}
    return None


def referent(text: str, answers: Sequence[BaseMessage]) -> tuple[str, str] | None:
    """The shop set (PLACES_SET, CATEGORIES_SET or PRODUCTS_SET) and the row of the last ranking stored with
    `answers` (the turn before's) that the message `text` points at, or None. A rank ("the second one")
    points at that row of any ranking; "that city" or "diese Kategorie" at the first row of a ranking of
    cities or categories; "there" at the place a ranking of places was held to, else at its first row;
    "with it" at the first row of a ranking of categories or products."""
    ranked = next((m.response_metadata[RANKED] for m in reversed(answers) if m.response_metadata.get(RANKED)),
                  None)
    if not ranked or not ranked.get("names"):
        return None
    level, names, words = str(ranked["level"]), list(ranked["names"]), plain(text)
    nouns = [other for other, pattern in _POINTED_NOUN.items() if pattern.search(words)]
    ranks = [rank for rank, pattern in _ORDINAL.items() if pattern.search(words)]
    if nouns:
        pointed = level in nouns
    elif ranks:
        pointed = True
    elif level in PLACE_LEVELS:  # "there": the place the ranking was held to, if any
        if _PLACE_ADVERB.search(text):
            return PLACES_SET, str(ranked.get("scope") or names[0])
        pointed = False
    else:
        pointed = bool(_PRONOUN.search(words))
    rank = ranks[0] if ranks else 0
    if not pointed or rank >= len(names):
        return None
    return LEVEL_SETS[level], names[rank]
