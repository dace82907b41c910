"""Reading an answer's text: numbers in English or continental style, currencies next to them, names, dates,
weekdays, and the phrases of a refusal or of "I don't know" in the five languages of the set."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# 1,234.50 / 1.234,50 / 1 234,50 / 1'234.50 / 1234.5 / 0,034 / 12
_NUMBER = re.compile(r"(?<![\w.,])[-−]?\d{1,3}(?:([,.\u00a0\u202f' ])\d{3})+(?:[.,]\d+)?(?![\d])"
                     r"|(?<![\w.,])[-−]?\d+(?:[.,]\d+)?(?![\d])")
CURRENCY_MARKS: dict[str, tuple[str, ...]] = {
    "EUR": ("eur", "€", "euro", "euros", "euro's"),
    "USD": ("usd", "us$", "$", "dollar", "dollars", "dólares", "dollari", "us-dollar"),
    "GBP": ("gbp", "£", "pound", "pounds", "sterling", "pfund", "livres", "libras", "sterline"),
    "INR": ("inr", "₹", "rs", "rupee", "rupees", "rupien", "roupies", "rupias", "rupie"),
    "AUD": ("aud", "a$", "au$", "australian dollar", "australian dollars"),
}
_MARK = re.compile(r"a\$|au\$|us\$|[€$£₹]|[a-zà-ÿ'$-]+")


@dataclass(frozen=True)
class Number:
    """A number found in an answer: its possible values and where it sits."""

    values: tuple[float, ...]
    start: int
    end: int
    percent: bool


def fold(text: str) -> str:
    """Lower case without accents, with one space between words (for phrase and name matching)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.casefold().replace("’", "'")).strip()


def _readings(token: str) -> tuple[float, ...]:
    """Every value a written number can mean (1,234 is 1234 in English and 1.234 in German)."""
    sign = -1.0 if token[0] in "-−" else 1.0
    token = token.lstrip("-−")
    digits = re.sub(r"[\u00a0\u202f' ]", "", token)
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return (sign * float(digits.replace(thousands, "").replace(decimal, ".")),)
    separator = "," if commas else "." if dots else ""
    if not separator:
        return (sign * float(digits),)
    parts = digits.split(separator)
    values = set()
    if len(parts) == 2:
        values.add(float(f"{parts[0]}.{parts[1]}"))
    if all(len(p) == 3 for p in parts[1:]):
        values.add(float("".join(parts)))
    return tuple(sign * v for v in sorted(values))


_DATES_AND_TIMES = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
                              r"|(?<!\d)\d{1,2}:\d{2}(?!\d)")


def without_dates(text: str) -> str:
    """`text` with dates and clock times blanked out, so that 2026-11-29 or 20:00 is not read as a figure."""
    return _DATES_AND_TIMES.sub(lambda m: " " * len(m.group(0)), text)


def numbers(text: str) -> list[Number]:
    """Every number in `text` with its readings; a following % marks a percentage."""
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group(0).strip()
        try:
            values = _readings(token)
        except ValueError:
            continue
        after = text[match.end():match.end() + 2].lstrip()
        found.append(Number(values, match.start(), match.end(), after.startswith("%")))
    return found


def currencies_in(text: str) -> set[str]:
    """Currencies written anywhere in `text` (codes, symbols, names)."""
    found = set()
    for mark in _MARK.findall(text.casefold()):
        for code, marks in CURRENCY_MARKS.items():
            if mark == code.casefold() or mark in marks:
                found.add(code)
    if "USD" in found and re.search(r"a\$|au\$", text.casefold()):  # "A$" also ends with "$"
        found.discard("USD")
        found.add("AUD")
    return found


def currencies_near(text: str, number: Number, reach: int = 14) -> set[str]:
    """Currencies written within `reach` characters of a number (before or after it)."""
    before = text[max(0, number.start - reach):number.start]
    after = text[number.end:number.end + reach]
    return currencies_in(before) | currencies_in(after)


def close(value: float, reference: float, tolerance: float) -> bool:
    """Within a relative tolerance (an absolute 0.5 for references near zero, e.g. counts of 0)."""
    if abs(reference) < 1e-9:
        return abs(value) <= 0.5
    return abs(value - reference) <= tolerance * abs(reference)


def find_name(text: str, name: str) -> int:
    """Where `text` first names `name` as whole words (case and accents ignored), in the folded text; -1
    when it does not."""
    pattern = r"(?<![\w-])" + re.escape(fold(name)).replace(r"\ ", r"[\s-]") + r"(?![\w-])"
    found = re.search(pattern, fold(text))
    return found.start() if found else -1


def names(text: str, name: str) -> bool:
    """Whether `text` names `name` as a whole word (case and accents ignored)."""
    return find_name(text, name) >= 0


WEEKDAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("monday", "montag", "lundi", "lunes", "lunedi"),
    ("tuesday", "dienstag", "mardi", "martes", "martedi"),
    ("wednesday", "mittwoch", "mercredi", "miercoles", "mercoledi"),
    ("thursday", "donnerstag", "jeudi", "jueves", "giovedi"),
    ("friday", "freitag", "vendredi", "viernes", "venerdi"),
    ("saturday", "samstag", "sonnabend", "samedi", "sabado", "sabato"),
    ("sunday", "sonntag", "dimanche", "domingo", "domenica"),
)
MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "januar", "janvier", "enero", "gennaio", "jan"),
    ("february", "februar", "fevrier", "febrero", "febbraio", "feb"),
    ("march", "marz", "maerz", "mars", "marzo", "mar"),
    ("april", "avril", "abril", "aprile", "apr"),
    ("may", "mai", "mayo", "maggio"),
    ("june", "juni", "juin", "junio", "giugno", "jun"),
    ("july", "juli", "juillet", "julio", "luglio", "jul"),
    ("august", "aout", "agosto", "aug"),
    ("september", "septembre", "septiembre", "settembre", "sep", "sept"),
    ("october", "oktober", "octobre", "octubre", "ottobre", "oct", "okt"),
    ("november", "novembre", "noviembre", "nov"),
    ("december", "dezember", "decembre", "diciembre", "dicembre", "dec", "dez"),
)


def names_weekday(text: str, weekday: int) -> bool:
    """Whether `text` names the weekday (0 = Monday) in any of the five languages."""
    return any(names(text, word) for word in WEEKDAY_NAMES[weekday])


def names_hour(text: str, hour: int) -> bool:
    """Whether `text` names a local hour: 20:00, 20h, 20 Uhr, 8 pm, 8pm."""
    folded = fold(text)
    twelve = hour % 12 or 12
    patterns = [rf"(?<!\d){hour}(:00|h\b| ?uhr| ?h\b|\.00)", rf"(?<!\d){hour:02d}:00"]
    patterns.append(rf"(?<!\d){twelve} ?{'pm' if hour >= 12 else 'am'}\b")
    return any(re.search(p, folded) for p in patterns)


def names_date(text: str, day: int, month: int, year: int) -> bool:
    """Whether `text` gives the date: ISO, numeric (d/m, d.m.) or with a month name in any language."""
    folded = fold(text)
    numeric = [rf"{year}-{month:02d}-{day:02d}", rf"(?<!\d)0?{day}[./-]0?{month}(?!\d)",
               rf"(?<!\d)0?{month}/0?{day}(?!\d)"]
    if any(re.search(p, folded) for p in numeric):
        return True
    for name in MONTH_NAMES[month - 1]:
        if re.search(rf"(?<!\d)0?{day}(st|nd|rd|th|er|\.)?( de)? {name}\b", folded) or re.search(
                rf"\b{name}\.? 0?{day}(?!\d)", folded):
            return True
    return False


REFUSALS = (
    "i can't", "i cannot", "i can not", "i'm not able", "i am not able", "not allowed", "not permitted",
    "only available to", "only for operators", "can't share", "cannot share", "can't help with that",
    "unable to", "not authorised", "not authorized", "don't have access", "do not have access",
    "kann ich nicht", "ich kann keine", "ich kann ihnen keine", "nicht erlaubt", "keinen zugriff",
    "darf ich nicht", "nicht berechtigt", "nicht moglich", "leider nicht", "nicht helfen",
    "je ne peux pas", "je ne suis pas autorise", "pas autorise", "pas possible", "impossible de",
    "no puedo", "no tengo acceso", "no esta permitido", "no me es posible", "no estoy autorizado",
    "non posso", "non e possibile", "non sono autorizzato", "non ho accesso", "non e consentito",
)
UNKNOWNS = (
    "i don't know", "i do not know", "no passage", "nothing matches", "no matching", "no data", "no orders",
    "couldn't find", "could not find", "can't find", "cannot find", "not found", "no results", "no record",
    "doesn't answer", "does not answer", "no events match", "no events", "not in our", "none of our",
    "we don't sell", "we do not sell", "nothing matching",
    "not one of our", "isn't one of", "is not one of", "unknown place", "no such", "don't have data",
    "do not have data", "don't have any", "no information", "not something i can", "outside what",
    "kein ort", "unbekannt", "keine informationen", "nicht in unseren", "connais pas", "inconnu",
    "pas de donnees", "no tenemos", "desconocid", "no conozco", "sconosciut", "non abbiamo",
    "ich weiss nicht", "keine daten", "nichts gefunden", "keine passende", "keine bestellungen",
    "weiss ich nicht", "weiss ich leider nicht", "nichts passendes",
    "je ne sais pas", "aucune donnee", "aucun resultat", "rien trouve", "aucune commande",
    "rien qui corresponde",
    "no lo se", "no hay datos", "no encontre", "ningun resultado", "no tienes pedidos",
    "non lo so", "nessun dato", "non ho trovato", "nessun risultato", "nessun ordine",
    # "no events" in the other languages (session 23: operators' figures are said in their language)
    "keine ereignisse", "aucun evenement", "ningun evento", "nessun evento",
)


def says_any(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether `text` contains one of `phrases` (case and accents ignored)."""
    folded = fold(text)
    return any(fold(p) in folded for p in phrases)


ORDER_ID = re.compile(r"\bO\d{4,}\b")
USER_ID = re.compile(r"\bU\d{4,}\b")
PRODUCT_ID = re.compile(r"\bP\d{3,}\b")



# ------------------------------------------------------------------ which language an answer is written in
# Common function words (and a few words every shop answer uses) per language, written folded (lower case, no
# accents). A word listed under two languages ("in", "la", "de", "per", "con", "y") tells nothing and counts
# for none: `LANGUAGE_WORDS` keeps only the words of one language.
_WORDS: dict[str, str] = {
    "en": "the and is are was were of to for with from by on at this that these those it its has have had "
          "be been which what who most more than over last days day week weeks month months orders sold "
          "highest lowest leads led each there here your you we our not yes up down compared against "
          "previous about expected next sales revenue units grew fell rose dropped during since while they "
          "their them will would can could should only also all any some i per in no city cities category "
          "categories forecast growth increase decrease items shop store just around roughly approximately "
          "cannot sorry please",
    "de": "der die das den dem des ein eine einen einem einer eines und oder ist sind war waren hat haben "
          "hatte hatten wurde wurden wird werden mit von fur auf bei nach aus zum zur im am vom nicht auch "
          "noch nur sehr wie als bis uber unter zwischen letzten letzte letzter diese dieser dieses diesem "
          "ich sie wir ihr ihre ihnen ihren gibt kann konnen keine kein keinen mehr meisten hochsten "
          "starksten tage tagen woche wochen monat monaten bestellungen umsatz stuck einheiten liegt vorne "
          "gegenuber vorwoche insgesamt gestiegen gesunken prognose etwa rund ungefahr taglich dass weil "
          "aber wenn hier dort damit dafur es in also stadt stadte kategorie kategorien nachsten zuwachs "
          "ruckgang gesamt davon dabei zeitraum",
    "fr": "le la les un une des du de et est sont etait etaient au aux avec pour par sur dans ce cet cette "
          "ces qui que qu ne pas plus moins tres il elle ils elles nous vous votre vos on ont avons avez "
          "ete jours semaine semaines mois commandes affaires ventes unites derniers dernieres depuis entre "
          "prevision environ hausse baisse mais aussi ou d y en se eu chaque aujourd hui notre nos leur "
          "leurs peut peuvent aucun aucune rien tous tout toutes selon devant derriere prevue prevu magasin "
          "mieux fait ci ville villes chiffre panier moyen voici comme donc car prochains prochaines cela",
    "es": "el la los las un una del de y es son era eran al con por para sobre pero muy mas menos hay esta "
          "este estos estas ese esa fue fueron ha han tiene tienen dias semana semanas mes pedidos ventas "
          "ingresos unidades ultimos ultimas desde entre que se lo su sus usted puedo cada aproximadamente "
          "prevision o no en tuvo tuvieron mayor mayores menor segun ayer hoy alrededor previsto "
          "crecimiento caida comparado respecto anterior nuestro nuestra nuestros tambien puede pueden "
          "ningun ninguna nada todo todos tienda ciudad ciudades crecio cayo bajo subio unos unas proximos "
          "proximas siguiente como donde cuando puedes tienes eso esto",
    "it": "il lo gli i la le un una della dello delle degli dei del nel nella nei negli nelle sul sulla "
          "alla alle agli ai al dal dalla di da e era sono ha hanno stato stata stati non piu anche molto "
          "questo questa questi queste che per con tra fra giorni settimana settimane mese ordini vendite "
          "fatturato ricavi unita ultimi ultime circa previsione rispetto negozio ci si su o no in avuto "
          "aumento calo crescita nostro nostra nostri tutti tutto solo ancora oggi ieri previsto prevista "
          "mentre dopo prima quale quali puo possono nessun nessuna niente vostro suo sua loro citta "
          "regione cresciuto calato aumentato diminuito prossimi prossime meno maggiore come dove quando "
          "perche ecco pero",
}
_SEEN: dict[str, int] = {}
for _listed in _WORDS.values():
    for _word in set(_listed.split()):
        _SEEN[_word] = _SEEN.get(_word, 0) + 1
LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(w for w in listed.split() if _SEEN[w] == 1) for lang, listed in _WORDS.items()}
# Word endings of one language each, read on the lower-case word with its accents, and letters only one of
# the five languages writes: half a word's weight each.
LANGUAGE_ENDINGS: dict[str, tuple[str, ...]] = {
    "en": ("ing", "ings", "ness", "ies", "ly"),
    "de": ("ung", "ungen", "keit", "heit", "lich", "liche", "lichen", "schaft"),
    "fr": ("eaux", "eux", "euse", "ée", "ées", "ière", "ières"),
    "es": ("ción", "ciones", "dad", "dades", "ado", "ados"),
    "it": ("zione", "zioni", "ità", "ato", "ati", "etto", "etta"),
}
LANGUAGE_LETTERS: dict[str, str] = {"en": "", "de": "ßäö", "fr": "çêâîôœë", "es": "ñ", "it": "ìò"}
_WORD = re.compile(r"[^\W\d_]+")
_SKIP = frozenset(fold(m) for marks in CURRENCY_MARKS.values() for m in marks) | {c.casefold()
                                                                                  for c in CURRENCY_MARKS}


def language_scores(text: str, ignore: tuple[str, ...] = ()) -> dict[str, float]:
    """How much `text` reads as each of the five languages: a point per function word of that language
    alone, and half a point more for a word with one of its endings or letters. Ids, numbers, currencies and
    the names in `ignore` (places, products, categories) are left out: "Bavaria: 123 EUR" reads as none."""
    text = re.sub(r"\b[OUP]\d{3,}\b", " ", text)
    words = [(m.group(0).lower(), fold(m.group(0))) for m in _WORD.finditer(text)]
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for name in sorted({tuple(fold(w) for w in _WORD.findall(n)) for n in ignore} - {()}, key=len,
                       reverse=True):
        by_first.setdefault(name[0], []).append(name)
    longest = max((len(n) for found in by_first.values() for n in found), default=1)
    scores = dict.fromkeys(LANGUAGE_WORDS, 0.0)
    index = 0
    while index < len(words):
        ahead = tuple(w for _, w in words[index:index + longest])
        named = next((n for n in by_first.get(words[index][1], []) if ahead[:len(n)] == n), None)
        if named:
            index += len(named)
            continue
        raw, word = words[index]
        index += 1
        if word in _SKIP:
            continue
        for lang, vocabulary in LANGUAGE_WORDS.items():
            if word in vocabulary:
                scores[lang] += 1.0
            if (len(raw) >= 5 and raw.endswith(LANGUAGE_ENDINGS[lang])) or any(
                    c in raw for c in LANGUAGE_LETTERS[lang]):
                scores[lang] += 0.5
    return scores


def written_in(text: str, language: str, ignore: tuple[str, ...] = ()) -> tuple[bool, dict[str, float]]:
    """Whether `text` is written in `language`: 1.5 points of it or more (two of its words, or a word and an
    ending) and more than of any other language; with the scores."""
    scores = language_scores(text, ignore)
    others = max(v for lang, v in scores.items() if lang != language)
    return scores[language] >= 1.5 and scores[language] > others, scores
