"""Whether a message leans on the turn before it (a follow-up) or stands on its own, in the five languages.

A follow-up leaves out what the turn before said ("and last week?" after revenue in Bavaria: Bavaria's
revenue); a complete question does not ("which category sold most units this month?" after a question about
Mazowieckie asks about the whole shop, and the model had filled in Mazowieckie). A message leans when it
- opens, or opens a sentence, with a word that continues the conversation ("and", "what about", "und",
  "et", "y", "e", "ed", after an "ok" or a "thanks": "Super, danke dir! Und ..."), or
- points back at what was said ("the same", "that category", "of those", "anything cheaper?"), or at a place
  it named ("there", "dort", "là-bas", "allí", "lì", "that region": then the call must name one of that
  turn's places), or
- is a fragment of `FRAGMENT_WORDS` words or fewer ("last week?", "nur Schuhe?"),
however long it is: a polite or detailed follow-up ("Merci beaucoup ! Et quel est le panier moyen là-bas sur
les 90 derniers jours, s'il vous plaît ?") leaves the place out as a short one does. A message that names the
whole shop ("overall", "insgesamt", "toutes les régions", "en total") takes no place or category from the
turns before, unless it points at a place. The lists are written from the languages, not from any benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import BaseMessage, HumanMessage

from agent.llm.price_caps import CHEAPER
from agent.llm.referents import POINTERS, points_at_place, points_at_row
from tools.language import plain_words

FOLLOW_UP_WORDS = 10  # a short message: one that may be sent to the previous turn's tool (named_tools)
FRAGMENT_WORDS = 3  # a message this short is a fragment of a question: it leans on the one before
ACKNOWLEDGEMENT_WORDS = 8  # a sentence that thanks for the answer before is short ("Thanks, that's helpful.")

# Words that acknowledge the answer before the next message: skipped before an opening word
_ACKNOWLEDGING = (r"(?:ok|okay|oki|alright|thanks|thank you|many thanks|cool|great|nice|perfect|excellent|"
                  r"awesome|danke|vielen dank|gut|super|prima|toll|klasse|perfekt|merci|bon|bien|parfait|"
                  r"génial|gracias|muchas gracias|vale|bueno|perfecto|genial|grazie|bene|perfetto|ottimo|"
                  r"va bene)\b")
_ACKNOWLEDGEMENT = re.compile(_ACKNOWLEDGING, re.IGNORECASE)
_ACKNOWLEDGED = rf"(?:{_ACKNOWLEDGING}[\s,.!:;-]*)*"
_OPENING = re.compile(
    _ACKNOWLEDGED + r"(?:and|what about|how about|same for|und|was ist mit|wie sieht es|wie steht es|"
    r"dasselbe für|das gleiche für|genauso für|et|qu'en est-il|quid de|pareil pour|même chose pour|"
    r"idem pour|y|qué tal|qué hay de|lo mismo para|igual para|e|ed|invece|che mi dici di|lo stesso per|"
    r"idem per)\b", re.IGNORECASE)
_POINTING = re.compile(
    r"\b(?:the same|(?:that|this|those|these) (?:one|ones)|dieselben?|derselben?|dasselbe|die gleichen?|"
    r"der gleichen?|das gleiche|(?:la|le|les) mêmes?|(?:la|el|lo|los|las) mism[oa]s?|"
    r"(?:la|lo|il|gli|le) stess[oaie]|"
    # "of those" ("Welche Stadt hatte davon die meisten?"): a part of what the turn before counted
    r"of (?:those|them|these)|among (?:those|them|these)|davon|darunter|"
    r"parmi (?:eux|elles|ceux-ci|celles-ci)|"
    r"(?:de|entre) (?:ellos|ellas|esos|esas|estos|estas)|(?:di|tra|fra) (?:questi|queste|quelli|quelle|loro))"
    r"(?!\w)", re.IGNORECASE)
# "all regions", "alle Länder", "tous les pays", "todas las regiones", "tutti i paesi": the whole shop, or a
# breakdown by them ("revenue for all regions"); on plain words (lower case, no accents or apostrophes)
_ALL_PLACES_WORDS = (
    r"(?:all|every) (?:the |our |of the |of our )?(?:region|country|place|state|area|market)s?|"
    r"all (?:the |our |of the |of our )?countries|"
    r"(?:alle|allen|jede|jeder|jedes) (?:unsere[nrs]? )?(?:region|regionen|land|lander|landern)|"
    r"(?:tous|toutes) (?:les |nos )?(?:regions|pays)|"
    r"(?:todas|todos) (?:las |los |nuestras |nuestros )?(?:regiones|paises)|"
    r"(?:tutte|tutti) (?:le |i |le nostre |i nostri )?(?:regioni|paesi)")
_ALL_PLACES = re.compile(rf"\b(?:{_ALL_PLACES_WORDS})(?!\w)")
# "all cities together", "alle Städte zusammen", "tous pays confondus", "todas las ciudades juntas", "across
# every country": the whole shop, and no grouping by the places it names
_ALL_TOGETHER_WORDS = (
    r"(?:(?:all|alle|allen|tous|toutes|todas|todos|tutte|tutti) (?:the |our |les |nos |los |las |le |i )?"
    r"(?:cities|countries|regions|states|markets|stadte|stadten|lander|landern|regionen|villes|pays|ciudades|"
    r"paises|regiones|citta|paesi|regioni) (?:together|combined|added up|zusammen|zusammengenommen|"
    r"confondus|confondues|juntas|juntos|insieme)|"
    # "across every country": spanning them, not one row each
    r"across (?:all|every) (?:the |our )?(?:city|cities|country|countries|region|regions|state|states|market|"
    r"markets))")
_ALL_TOGETHER = re.compile(rf"\b{_ALL_TOGETHER_WORDS}(?!\w)")
# Words that name the whole shop, on plain words; "each category" or "every city" may be the earlier place's
_WHOLE_SHOP = re.compile(
    r"\b(?:overall|in total|altogether|everywhere|across the board|(?:shop|store|company)[- ]wide|"
    r"(?:the )?(?:whole|entire) (?:shop|store|business|company)|(?:shop|store|business) as a whole|"
    r"insgesamt|uberall|shopweit|alles zusammen|(?:ganze[nrs]?|gesamte[nrs]?) (?:shop|laden|geschaft|firma)|"
    r"au total|globalement|(?:dans|sur) l ensemble|partout|(?:toute|l ensemble de) la boutique|"
    r"(?:la )?boutique (?:tout )?entiere|tout confondu|tous confondus|"
    r"en total|en conjunto|globalmente|en todas partes|(?:en )?toda la tienda|"
    r"(?:la )?tienda (?:entera|completa)|todo junto|"
    r"in totale|complessivamente|nel complesso|ovunque|dappertutto|(?:in )?tutto il negozio|"
    rf"(?:il )?negozio (?:intero|completo)|l intero negozio|tutto insieme|{_ALL_PLACES_WORDS}|"
    rf"{_ALL_TOGETHER_WORDS})(?!\w)")
_MARK = re.compile(r"^[\s¿¡\"'(«“-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def acknowledges(sentence: str) -> bool:
    """Whether a sentence thanks for or accepts the answer before and asks nothing ("ok thanks.", "Super,
    danke dir!", "Thanks, that's helpful."): it is no question of its own before the one that follows."""
    return (bool(_ACKNOWLEDGEMENT.match(_MARK.sub("", sentence))) and "?" not in sentence
            and len(plain_words(sentence)) <= ACKNOWLEDGEMENT_WORDS)


def is_short(text: str) -> bool:
    """Whether a message is short enough to be sent to the previous turn's tool (named_tools)."""
    return len(plain_words(text)) <= FOLLOW_UP_WORDS


def leans_on_earlier(text: str) -> bool:
    """Whether `text`, a user message after earlier turns, is a follow-up that leans on them (see the
    module): opening with a continuing word, pointing back, or a fragment."""
    if not text.strip():
        return False
    if len(plain_words(text)) <= FRAGMENT_WORDS:
        return True
    opens = any(_OPENING.match(_MARK.sub("", sentence)) for sentence in _SENTENCE_END.split(text))
    return opens or bool(_POINTING.search(text) or points_at_place(text) or points_at_row(text)
                         or CHEAPER.search(text))


def without_pointers(text: str) -> str:
    """`text` in plain words (capitals kept) without the phrases that point at a place or a row ("that city",
    "quella città", "cette catégorie", "the second one"), and without "all countries" where other words name
    the whole shop too ("im ganzen Laden, alle Länder"): they name no grouping. "Mi fai una
    previsione per quella città?" read as a grouping by city had left the forecast to the model, which
    called compare_periods."""
    words = plain_words(text, fold_case=False)
    marked = " ".join(word.casefold() for word in words)
    patterns = [*POINTERS, _ALL_TOGETHER]
    if _ALL_PLACES.search(marked) and names_whole_shop(_ALL_PLACES.sub(" ", marked)):
        patterns.append(_ALL_PLACES)
    for pattern in patterns:  # each word of a phrase becomes a mark of its own length: the words stay aligned
        marked = pattern.sub(lambda m: " ".join("\0" * len(w) for w in m.group(0).split(" ")), marked)
    return " ".join(word for word, mark in zip(words, marked.split(" "), strict=True) if "\0" not in mark)


def names_whole_shop(text: str) -> bool:
    """Whether a message asks about the whole shop ("and overall?", "Und insgesamt?", "toutes les régions"),
    so that it takes no place or category from the turns before, unless it points at a place."""
    return bool(_WHOLE_SHOP.search(" ".join(plain_words(text)))) and not points_at_place(text)


def leaned_questions(messages: Sequence[BaseMessage]) -> list[str]:
    """The user's messages of the turns the last one leans on (turn_values.conversation_mentions), when it
    is a follow-up that does not ask about the whole shop: "How much is shipping to Germany?" for "ok, and
    how long does express take?"; none for a question that stands on its own."""
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    if len(starts) < 2 or not _carries_places(messages[starts[-1]].text):
        return []
    return [messages[i].text for i in starts[leaned_from(messages, starts):-1]]


def leaned_from(messages: Sequence[BaseMessage], starts: list[int]) -> int:
    """Of the user messages at `starts`, the index of the first one the last leans on: the one before it,
    or further back along a chain of follow-ups ("units in Bavaria?", "and this week?", "and by revenue?")."""
    first = len(starts) - 2
    while first > 0 and _carries_places(messages[starts[first]].text):
        first -= 1
    return first


def _carries_places(text: str) -> bool:
    """Whether an earlier user message passes the places of the turns before it on to a follow-up."""
    return leans_on_earlier(text) and not names_whole_shop(text)
