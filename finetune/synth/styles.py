"""How people dress a question: terse, polite, verbose, angry, and with typos.

Every function takes the caller's seeded `random.Random`, so a dialogue set is the same for the same seed.
"""

from __future__ import annotations

import random
import re
import unicodedata

from finetune.synth.phrasing import Phrasing

SINGLE_TURN_STYLES = ("plain", "terse", "polite", "verbose", "angry", "typos")
# then those that change the dialogue's shape: two questions in one, a second turn, a two-step plan
STYLES = (*SINGLE_TURN_STYLES, "multipart", "followup", "plan")
_FILLER = re.compile(
    r"^(please|pls|can you|could you|show me|tell me|what is|what are|bitte|svp|por favor|"
    r"per favore)\s+",
    re.IGNORECASE,
)


def strip_accents(text: str) -> str:
    """Text without accents and umlauts ("Köln" -> "Koln"), as people type on a foreign keyboard."""
    text = text.replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def inject_typos(text: str, rng: random.Random, rate: float = 0.15) -> str:
    """`text` with typos: adjacent letters swapped, a letter dropped or doubled, accents lost, all lower case.

    Words with digits (ids, amounts) are kept as they are: a typo there changes what is asked."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 4 or any(c.isdigit() for c in word) or rng.random() >= rate:
            continue
        j = rng.randrange(1, len(word) - 2)
        edit = rng.choice(("swap", "drop", "double"))
        if edit == "swap":
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif edit == "drop":
            words[i] = word[:j] + word[j + 1 :]
        else:
            words[i] = word[:j] + word[j] + word[j:]
    text = " ".join(words)
    if rng.random() < 0.6:
        text = strip_accents(text)
    if rng.random() < 0.6:
        text = " ".join(w if any(c.isdigit() for c in w) else w.lower() for w in text.split(" "))
    if rng.random() < 0.4:
        text = text.rstrip("?!. ")
    return text


def terse(text: str, rng: random.Random) -> str:
    """The question cut short: lower case, no closing punctuation, no opening filler."""
    text = _FILLER.sub("", text.strip()).rstrip("?!. ")
    return text.lower() if rng.random() < 0.7 and not any(c.isdigit() for c in text) else text


def dress(question: str, style: str, words: Phrasing, rng: random.Random) -> str:
    """`question` in one of the SINGLE_TURN_STYLES (the other STYLES are built by the dialogue)."""
    if style == "terse":
        return terse(question, rng)
    if style == "typos":
        return inject_typos(question, rng)
    if style in ("polite", "verbose", "angry"):
        wrapper = rng.choice({"polite": words.polite, "verbose": words.verbose, "angry": words.angry}[style])
        question = question[0].upper() + question[1:] if wrapper.startswith("{q}") else question
        return wrapper.format(q=question)
    return question
