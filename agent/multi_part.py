"""A message that asks two things at once, split into its two questions, each answered as a turn of its own.

"Two questions: can I still cancel an order that has shipped, and how long does a refund take?" got the
cancellation passage and nothing on refunds: one search finds one passage, and a tool that already answered
is not called again in the same turn. A message is split only where its own words say a second question
starts, in the shop's five languages:
- a second sentence that opens with a joining word ("Where is my order? Also, can I still return it?") or
  with a question word after a question ("... arrived? Can I return it?"; not "was geht bei Hessen?
  Auffälligkeiten die letzten 7 Tage?", one request);
- a comma, a conjunction and a question word ("..., and which German region led it?", "..., und wie viele
  Bestellungen ...?"); after an announcement of two questions ("Zwei Fragen: ...") a comma and a conjunction.
- a sentence that opens with words that change the subject, or a comma, those words and a question word
  ("... crushed. Anyway, how much did you sell in Bavaria?", "my order hasn't arrived, btw which region
  sells most?", "Übrigens, ...", "por cierto"): a customer's own trouble and a question for the shop's
  figures are two questions, and the second is declined alone.
A question with context before it ("My parcel never came. What should I do?"), a question after thanks for
the answer before ("Thanks, that's helpful. And what about last week?": a follow-up, which needs its "and")
and a list in one question ("revenue and orders by region") stay whole.
"""

from __future__ import annotations

import re

from agent.llm.leaning import acknowledges

_ANNOUNCED = re.compile(
    r"^\s*(?:two|2|zwei|deux|dos|due)\s+(?:questions?|things|fragen|dinge|sachen|choses|preguntas|cosas|"
    r"domande|cose)\s*[:.,!-]\s*", re.IGNORECASE)
# Words that open a question (relative pronouns that also open clauses, "que", "qui", are left out).
_ASKING = (
    r"(?:what|which|how|when|where|who|why|is|are|can|could|do|does|did|will|until when|"
    r"wie|was|welche[rsmn]?|wann|wo|wer|warum|kann|können|ist|sind|gibt|hat|haben|bis wann|"
    r"quel(?:le)?s?|comment|combien|quand|où|pourquoi|est-ce|puis-je|peut-on|jusqu'à quand|"
    r"qué|cuál(?:es)?|cuánt[oa]s?|cómo|dónde|cuándo|quién|por qué|puedo|hay|hasta cuándo|"
    r"qual(?:e|i)?|quant[oaie]|come|dove|quando|chi|perché|posso|c'è|fino a quando)\b")
_QUESTION_WORD = re.compile(rf"^[¿\s]*{_ASKING}", re.IGNORECASE)
# A second sentence's opening words that join it to the first ("Also, ...", "Ach ja, und ..."); a bare "and"
# only before a question word ("And what ...?"; French "Y a-t-il ...?" is no Spanish "and").
_JOINER = re.compile(
    r"^(?:also|oh,? and|plus|außerdem|ausserdem|ach ja,? und|aussi|ah,? et|además|ademas|ah,? y|inoltre|"
    rf"ah,? e|(?:and|und|et|y|e)(?=\s+¿?{_ASKING}))\b[,:]?\s*", re.IGNORECASE)
# Words that change the subject ("..., btw which region sells most?", "Übrigens, wie viele ...?"): what
# follows is a second question, after a full stop or a comma alike
_CHANGING_SUBJECT = (r"(?:anyway|anyhow|by the way|btw|übrigens|ach übrigens|apropos|au fait|par ailleurs|"
                     r"por cierto|a propósito|a proposito|por otro lado|comunque|tra l'altro|ah proposito)")
_SUBJECT_CHANGE = re.compile(rf"^{_CHANGING_SUBJECT}\b[,:]?\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[?.!])\s+")
_AND = re.compile(rf",\s*(?:(?:and|und|et|y|e)\s+|(?={_CHANGING_SUBJECT}\b))", re.IGNORECASE)


def question_parts(message: str) -> list[str]:
    """The message's two questions, each written as a question of its own, or the message alone."""
    body = message.strip()
    announced = _ANNOUNCED.match(body)
    if announced:
        body = body[announced.end():]
    for first, second in _cuts(body, bool(announced)):
        if len(first.split()) >= 2 and len(second.split()) >= 2:
            ending = "?" if body.endswith("?") and first[-1:] not in "?.!" else ""
            return [_capitalized(first.rstrip(",;:") + ending), _capitalized(second)]
    return [message]


def _cuts(body: str, announced: bool) -> list[tuple[str, str]]:
    """Where a second question may start, most certain first: (the text before, the question after)."""
    cuts: list[tuple[str, str]] = []
    sentence = _SENTENCE_END.search(body)
    if sentence and not acknowledges(body[:sentence.start()]):
        first, rest = body[:sentence.start()].strip(), body[sentence.end():].strip()
        joined = _JOINER.match(rest) or _SUBJECT_CHANGE.match(rest)
        asked_again = first.endswith("?") and rest.endswith("?") and _QUESTION_WORD.match(rest)
        if joined or asked_again and _SENTENCE_END.search(rest) is None:
            cuts.append((first, rest[joined.end():] if joined else rest))
    for later in list(_SENTENCE_END.finditer(body))[1:]:  # "... crushed. honestly. anyway, how much ...?"
        first, rest = body[:later.start()].strip(), body[later.end():].strip()
        changed = _SUBJECT_CHANGE.match(rest)
        if changed:
            cuts.append((first, rest[changed.end():]))
    for found in _AND.finditer(body):
        first, rest = body[:found.start()].strip(), body[found.end():].strip()
        changed = _SUBJECT_CHANGE.match(rest)
        if changed and _QUESTION_WORD.match(rest[changed.end():]):
            cuts.append((first, rest[changed.end():]))
        elif announced or _QUESTION_WORD.match(rest) and _QUESTION_WORD.match(first):
            cuts.append((first, rest))
    return cuts


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
