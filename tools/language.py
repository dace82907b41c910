"""Which of the supported languages a short message is written in, offline and in microseconds.

Shoppers write a line or two, often with typos and without accents, so a character n-gram model trained on
prose is overkill and a dictionary of every word is out of reach. Each language gets a score from its most
frequent function words (articles, pronouns, question words, auxiliaries: what survives any typo and any
topic) and a shop's everyday nouns (a terse "Umsatz in Rheinland-Pfalz?" has no function word of its own),
plus a smaller weight for letters only it uses; the highest score wins, and a message with no evidence
gets `default`. Used by the agent (which language to answer in) and by retrieval (whether to translate).

Also the words of a text as a matcher reads them (`plain_words`: no accents, lower case), and which names a
text mentions (`mentioned`: whole words, singular or plural, a typo in a long word): the agent's grammar
reads places, categories and choice words with it, and the tools read a shop's category aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

LANGUAGES = ("en", "de", "fr", "es", "it")


def word_set(text: str) -> frozenset[str]:
    """The blank-separated words of a word list written as one string."""
    return frozenset(text.split())


_WORDS: dict[str, frozenset[str]] = {
    "en": word_set("""
        the a an is are was were be been do does did have has had i you he she it we they my your our
        their me us what which who whom where when why how can could would should will shall may might
        please thanks thank hi hello not no yes of to in on for with from and or but this that these
        those there here any some much many more most last next week month year order orders any get got
        morning evening today tomorrow yesterday tonight revenue sales units delivery refund forecast
        looking buy want need sell
    """),
    "de": word_set("""
        der die das den dem des ein eine einen einem einer ist sind war waren bin bist sein habe hat
        haben hatte ich du er sie es wir ihr mein meine meinen meiner dein deine unser unsere was welche
        welcher welches wer wo wann warum wie kann koennen können könnte würde wuerde soll bitte danke
        hallo nicht kein keine ja nein von zu im in auf für fuer mit aus und oder aber diese dieser
        dieses gibt es noch schon letzte letzten nächste naechste woche monat jahr bestellung
        bestellungen an am um bei nach mich mir uns euch man guten morgen abend servus moin heute
        gestern umsatz umsätze verkäufe einheiten stück lieferung rückgabe erstattung prognose
        suche habt kaufen möchte
    """),
    "fr": word_set("""
        le la les un une des du de est sont était étaient etre être ai as a avons avez ont je tu il elle
        nous vous ils elles mon ma mes ton ta votre vos notre nos quel quelle quels quelles qui où ou
        quand pourquoi comment peux peut pouvez pourriez voudrais merci bonjour salut ne pas non oui à
        au aux pour avec et mais ce cette ces y est-ce dernière dernier prochaine semaine mois année
        commande commandes bonsoir coucou demain hier aujourd'hui soir en combien chiffre ventes unités
        livraison remboursement prévision cherche cherchez acheter vendez
    """),
    "es": word_set("""
        el la los las un una unos unas es son era eran ser estar está están he ha hemos han yo tú tu él
        ella nosotros vosotros ellos mi mis su sus nuestro nuestra qué que cuál cuáles quién dónde donde
        cuándo cuando por porque cómo como puedo puede pueden podría quisiera gracias hola buenos no sí
        en para con y o pero este esta estos estas hay del al última último próxima semana mes año
        pedido pedidos de a cuanto cuánto cuantos cuántos cuanta cuánta cuantas cuántas me se lo le les
        muy también ya nunca siempre todo buenas tardes noches días mañana ayer hoy ventas ingresos
        facturación unidades envío devolución reembolso previsión busco tienen tenéis quiero comprar
    """),
    "it": word_set("""
        il lo la i gli le un uno una è sono era erano essere ho hai ha abbiamo avete hanno io tu lui lei
        noi voi loro mio mia miei mie tuo tua suo sua nostro nostra che quale quali chi dove quando
        perché perche come posso può puo potete potrei vorrei grazie ciao buongiorno non sì si no di da
        in su per con e ed o ma questo questa questi queste c'è del della dei delle nel nella ultimo
        ultima prossima settimana mese anno ordine ordini a al alla allo ai agli alle quanto quanti
        quanta quante ci mi ti vi cosa anche sul sulla dal dalla faccio fate fai devo sempre già gia più
        piu buonasera salve puoi domani ieri oggi sera fatturato vendite unità spedizione reso rimborso
        previsione cerco cercate comprare vendete
    """),
}

_LETTERS: dict[str, str] = {"de": "äöüß", "fr": "çèêëàâîïôûœ", "es": "ñ¿¡áíóú", "it": "àèìòù"}

_TOKEN = re.compile(r"[\w']+", re.UNICODE)  # words with their digits, so "O0001234" is no word
_COMPOUND = re.compile(r"[\w']+(?:-[\w']+)+", re.UNICODE)


def _without_names(text: str) -> str:
    """`text` without hyphenated names ("Ile-de-France", "Baden-Württemberg": a part after a hyphen starts
    with a capital); "Pouvez-vous" and "est-ce" stay."""
    return _COMPOUND.sub(lambda m: " " if any(part[:1].isupper() for part in m.group().split("-")[1:])
                         else m.group(), text)


def language_scores(text: str) -> dict[str, float]:
    """Evidence per supported language: function words found (1 each) plus letters only it uses (0.5 each);
    the words of a hyphenated name are no evidence ("Tell me about Ile-de-France" read as Spanish: "me",
    "de")."""
    lowered = _without_names(text).lower()
    tokens = [token for token in _TOKEN.findall(lowered) if not any(c.isdigit() or c == "_" for c in token)]
    scores = {language: float(sum(token in words for token in tokens)) for language, words in _WORDS.items()}
    for language, letters in _LETTERS.items():
        scores[language] += 0.5 * sum(lowered.count(letter) for letter in letters)
    return scores


def detect_language(text: str, default: str = "en") -> str:
    """The supported language (ISO 639-1 code) `text` is most likely written in; `default` without evidence.

    Ties go to `default` when it is among the leaders, else to the first leader in `LANGUAGES` order."""
    if default not in LANGUAGES:
        raise ValueError(f"Unknown default language {default!r}; use one of {', '.join(LANGUAGES)}.")
    scores = language_scores(text)
    best = max(scores.values())
    if best == 0:
        return default
    leaders = [language for language in LANGUAGES if scores[language] == best]
    return default if default in leaders else leaders[0]


# The script each supported language is written in: the first word of its letters' Unicode names.
SCRIPTS: dict[str, str] = {"en": "LATIN", "de": "LATIN", "fr": "LATIN", "es": "LATIN", "it": "LATIN"}


def foreign_letters(text: str) -> bool:
    """Whether `text` holds a letter of a script that none of the supported languages is written in (a
    Cyrillic or CJK word in a reply to a German shopper is a stray token, never an answer)."""
    scripts = tuple(set(SCRIPTS.values()))
    return any(char.isalpha() and not unicodedata.name(char, "").startswith(scripts) for char in text)


_PLAIN_WORD = re.compile(r"\w+")


def unaccented(text: str, fold_case: bool = True) -> str:
    """`text` without accents ("Württemberg" -> "wurttemberg"), in lower case unless told not to."""
    plain = unicodedata.normalize("NFKD", text.casefold() if fold_case else text)
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def plain_words(text: str, fold_case: bool = True) -> list[str]:
    """The words of `text` without accents (`unaccented`), in lower case unless told not to (the same words
    either way: a case fold never splits one)."""
    return _PLAIN_WORD.findall(unaccented(text, fold_case))


TYPO_MIN_LETTERS = 6  # words this long may differ by one edit and still mean the same ("delivry", "Bavria")


def one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by exactly one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    return a[i + 1:] == b[i + 1:] or swapped


ACRONYM_LETTERS = 4  # a name in capitals this short is an acronym, matched as written


def mentioned(names: Sequence[str], text: str, typo_letters: int | None = TYPO_MIN_LETTERS,
              known: frozenset[str] = frozenset()) -> list[str]:
    """The `names` that occur in `text` as whole words (any case, accents or not, one typo in a word of
    `typo_letters` or more, unless the word is one of the `known` words of its own (plain, lower case);
    None: no typos), in the order of their first mention; a name met only inside a longer one that is
    mentioned ("London" in "Greater London") does not count. An acronym ("UK", "NRW", "OR") counts only in
    capitals: "or" and "us" are words."""
    words, capitals = plain_words(text), plain_words(text, fold_case=False)
    taken = [False] * len(words)
    first: dict[str, int] = {}
    for typos in (False, True) if typo_letters is not None else (False,):
        for name in sorted(names, key=len, reverse=True):
            acronym = name.isupper() and len(name) <= ACRONYM_LETTERS
            if acronym and typos:
                continue  # matched as written in the first pass: no typo makes an acronym
            wanted, among = ((plain_words(name, fold_case=False), capitals) if acronym
                             else (plain_words(name), words))
            for start in range(len(words) - len(wanted) + 1):
                span = range(start, start + len(wanted))
                if wanted and not any(taken[i] for i in span) and all(
                        (w == among[i] if acronym else
                         among[i] not in known and _near_word(w, among[i], typo_letters or 0) if typos
                         else _same_word(w, among[i])) for w, i in zip(wanted, span)):
                    first.setdefault(name, start)
                    for i in span:
                        taken[i] = True  # blanked: shorter names inside it do not count
    return sorted(first, key=first.__getitem__)


def _same_word(name_word: str, word: str) -> bool:
    """The word, or its singular or plural in "s" ("boot" for "boots")."""
    return word in (name_word, name_word + "s") or (len(word) >= 3 and name_word == word + "s")


def _near_word(name_word: str, word: str, letters: int) -> bool:
    """The word with one typo, in words of `letters` or more."""
    if min(len(name_word), len(word)) < letters or abs(len(name_word) - len(word)) > 1:
        return False
    return _same_word(name_word, word) or one_edit(name_word, word)
