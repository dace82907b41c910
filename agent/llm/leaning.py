"""Whether a message leans on the turn before it (a follow-up) or stands on its own, in the five languages.

A follow-up leaves out what the turn before said ("and last week?" after revenue in Bavaria: Bavaria's
revenue); a complete question does not ("which category sold most units this month?" after a question about
Mazowieckie asks about the whole shop, and the model had filled in Mazowieckie). A message leans when it is
short (`FOLLOW_UP_WORDS`) and
- opens with a word that continues the conversation ("and", "what about", "und", "et", "y", "e", "ed",
  after an "ok" or a "thanks"), or
- points back at what was said ("the same", "that category"), or at a place it named ("there", "dort",
  "là-bas", "allí", "lì", "that region": then the call must name one of that turn's places), or
- is a fragment of `FRAGMENT_WORDS` words or fewer ("last week?", "nur Schuhe?").
The lists are written from the languages, not from any benchmark.
"""

from __future__ import annotations

import re

from tools.language import plain_words

FOLLOW_UP_WORDS = 10  # a follow-up is short: it leans on the previous turn for what it leaves out
FRAGMENT_WORDS = 3  # a message this short is a fragment of a question: it leans on the one before

# Words that acknowledge the answer before the next message: skipped before an opening word
_ACKNOWLEDGED = (r"(?:(?:ok|okay|oki|alright|thanks|thank you|cool|great|nice|danke|gut|super|prima|merci|"
                 r"bon|bien|parfait|gracias|vale|bueno|perfecto|grazie|bene|perfetto|va bene)\b[\s,.!:;-]*)*")
_OPENING = re.compile(
    _ACKNOWLEDGED + r"(?:and|what about|how about|same for|und|was ist mit|wie sieht es|wie steht es|"
    r"dasselbe für|das gleiche für|genauso für|et|qu'en est-il|quid de|pareil pour|même chose pour|"
    r"idem pour|y|qué tal|qué hay de|lo mismo para|igual para|e|ed|invece|che mi dici di|lo stesso per|"
    r"idem per)\b", re.IGNORECASE)
_PLACE = (r"(?:region|regions|city|cities|country|countries|place|places|state|area|stadt|land|gegend|région|"
          r"régions|ville|villes|pays|región|regiones|ciudad|ciudades|país|regione|regioni|città|paese)")
_POINTING_AT_PLACE = re.compile(
    r"\b(?:(?<!is )(?<!are )(?<!was )(?<!were )(?<!any )there(?! is| are| was| were| been)|dort|dorthin|"
    r"là|là-bas|allí|allá|ahí|lì|"
    rf"(?:that|this|those|these|diese[rmns]?|cette|ces|ce|esa|esta|esas|estas|ese|este|quella|questa|quelle|"
    rf"queste|quel|questo) {_PLACE})(?!\w)", re.IGNORECASE)
_POINTING = re.compile(
    r"\b(?:the same|(?:that|this|those|these) (?:category|categories|one|ones)|dieselben?|derselben?|"
    r"dasselbe|die gleichen?|der gleichen?|das gleiche|diese[rmns]? kategorie|(?:la|le|les) mêmes?|"
    r"(?:cette|ces) catégories?|(?:la|el|lo|los|las) mism[oa]s?|(?:esa|esta|esas|estas) categorías?|"
    r"(?:la|lo|il|gli|le) stess[oaie]|(?:quella|questa|quelle|queste) categori[ae])(?!\w)", re.IGNORECASE)
_MARK = re.compile(r"^[\s¿¡\"'(«“-]+")


def is_short(text: str) -> bool:
    """Whether a message is short enough to lean on the turn before for what it leaves out."""
    return len(plain_words(text)) <= FOLLOW_UP_WORDS


def leans_on_earlier(text: str) -> bool:
    """Whether `text`, a user message after earlier turns, is a follow-up that leans on them (see the
    module): short, and opening with a continuing word, pointing back, or a fragment."""
    words = len(plain_words(text))
    if words > FOLLOW_UP_WORDS or not text.strip():
        return False
    if words <= FRAGMENT_WORDS:
        return True
    return bool(_OPENING.match(_MARK.sub("", text)) or _POINTING.search(text)
                or _POINTING_AT_PLACE.search(text))


def points_at_place(text: str) -> bool:
    """Whether a short message points at a place the turn before named ("forecast demand there", "dort
    auch?", "e in quella regione?"): the call must take one of that turn's places."""
    return is_short(text) and bool(_POINTING_AT_PLACE.search(text))
