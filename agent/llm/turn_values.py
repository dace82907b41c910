"""What a call may name: the shop's places and categories the conversation mentions, never one nobody said;
the choices and spans the user's words name.

The 0.5B model writing a call fills the shop's closed sets (marked SHOP_SET by the registry: its places, its
categories) from what it saw most in training, not from the question: asked "top regions by revenue all
time", it wrote place="United Kingdom" for 13 of the 180 questions of the independent set that name no place
and dropped the place that 6 others named (bench/agent.py --set independent --mode first, "slots"). A plan's
second call needs what its first call found ("forecast the region that spikes most": find_spikes leads with
Tuscany, so forecast_demand takes place="Tuscany"), and the model rarely copies it. So the grammar of every
reply holds each property filled from a shop set to the names the conversation gives it:

- the current turn (its user message, its calls' arguments, its tool results) mentions some: the property
  takes one of them and must be given. The calls' arguments count because a question may give a name in
  another language ("Bayern") that the first call already wrote as the shop does ("Bavaria");
- else, in a follow-up that leans on the turn before (leaning.py: "and last week?" after a question about
  Bavaria, not "which category sold most units this month?"), the turns it leans on mention some (back to
  the last question that stood on its own): a place must be one of them unless the follow-up groups by
  place ("and which region led?"), a category one of them or none; a follow-up that points at a row of the
  answer before's ranking takes that row (referents.py: "forecast demand there" after the top regions),
  one that points at a place one of the turn before's places, its answer's included;
- else the property is left out (null) where its schema allows, else it keeps the whole set.
Product names (ASKED_SETS) count in the user's own words only: a tool result lists products nobody asked
about, and "the top products, and the forecast for the whole shop" must not forecast one of them.

A name counts as mentioned as whole words in any case, with or without accents ("Baden-Württemberg" for
"Baden-Wurttemberg"), in the singular ("boot" for "Boots"), and with one typo in a word of 6 letters or
more ("Bavria" for "Bavaria"; shorter words are too close to others: "sales" is one letter from "Wales").
Exact mentions are read before typos.

The tools' own fixed choices (metric, period, group_by, day...) and day counts (horizon_days) are held the
same way to what the user's own words name (choice_words.py, durations.py): "Bestellungen letzte 7 Tage"
takes metric="orders" and period="last_7_days", which the model left at "revenue" and "last_30_days"; a
choice named in the current turn must be given, one named only in an earlier turn may be, and an unnamed one
keeps all its values. Only the user's words count here: a tool result says "orders" about anything.

Only the grammar changes: the prompt (and with it the prompt's KV cache) is the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from agent.llm.choice_words import (
    CHOICE_WORDS,
    LISTED_CHOICE_WORDS,
    LISTING,
    NOT_PLACES,
    OWN_LANGUAGE_WORDS,
    WEAK_CHOICE_WORDS,
)
from agent.llm.durations import durations_in_days, lookbacks_in_days
from agent.llm.leaning import without_pointers
from agent.llm.mentions import Mentions
from agent.llm.price_caps import cheaper_caps, price_caps
from tools.language import LANGUAGES, detect_language, mentioned, plain_words
from tools.registry import ASKED_SETS, GRAMMAR_ENUM, GRAMMAR_EXTRA, PLACES_SET, SHOP_ALIASES, SHOP_SET

# a capitalised name (up to three words, with "de", "del", "di", "la" between) after a place's preposition
_NAME_WORD = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:[-'’][A-Za-zÀ-ÿ][a-zà-ÿ]*)*"  # "Tokyo", "Ile-de-France"; not "EUR"
_LISTING = re.compile(LISTING)
_PLACE_AFTER = re.compile(rf"\b(?:in|from|at|à|au|aux|en|a)\s+({_NAME_WORD}"
                          rf"(?:\s+(?:(?:de|del|di|da|do|la|le|sur|am)\s+)?{_NAME_WORD}){{0,2}})")


def narrowed_tools(tools: Sequence[dict[str, Any]], mentions: Mentions) -> list[dict[str, Any]]:
    """`tools` with each shop-set property (SHOP_SET) held to the names `mentions` gives it (see the
    module)."""
    unknown = unfamiliar_places(mentions.asked, lambda: shop_names(tools))
    return [_narrowed(tool, mentions, unknown) for tool in tools]


def unfamiliar_places(text: str, shop_names: Callable[[], Sequence[str]]) -> tuple[str, ...]:
    """Places the user names that the shop does not have: capitalised words after "in", "from", "à", "en",
    "a" ("revenue in Tokyo", "pedidos en Buenos Aires") that are none of `shop_names()` (places, their
    aliases, categories), no month or currency, no choice word. German is left out: its nouns all take
    capitals ("in Summe"). A call for such a place fails with the shop's places named, where a call
    without it would answer for everywhere as if it were the place asked about."""
    if not text or detect_language(text) == "de":
        return ()
    found = [m.group(1) for m in _PLACE_AFTER.finditer(text)]
    found = [name for name in found if not set(plain_words(name)) & NOT_PLACES
             and " ".join(plain_words(name)) not in _choice_phrases()]
    if not found:
        return ()
    known = shop_names()
    return tuple(dict.fromkeys(name for name in found if not mentioned(known, name)))


@lru_cache(maxsize=1)
def _choice_phrases() -> frozenset[str]:
    """Every choice word and phrase, as lower-case words without accents ("this week", "umsatz")."""
    return frozenset(" ".join(plain_words(phrase)) for words in (CHOICE_WORDS, WEAK_CHOICE_WORDS)
                     for phrases in words.values() for phrase in phrases)


def shop_names(node: Any) -> list[str]:
    """Every name and alias of the shop sets in `node` (tool schemas)."""
    return _gathered(node, lambda n: [*n[_set_key(n)], *n.get(SHOP_ALIASES, {})] if SHOP_SET in n else [])


def _gathered(node: Any, take: Callable[[dict[str, Any]], list[Any]]) -> list[Any]:
    """What `take` finds in every object of a JSON schema `node` and the objects inside it, in order."""
    if isinstance(node, list):
        return [found for item in node for found in _gathered(item, take)]
    if not isinstance(node, dict):
        return []
    return take(node) + [found for value in node.values() for found in _gathered(value, take)]


def _narrowed(node: Any, mentions: Mentions, unknown: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_narrowed(item, mentions, unknown) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _narrowed(value, mentions, unknown) for key, value in node.items()}
    if SHOP_SET in node:
        key = _set_key(node)
        out[key] = list(_current(node, mentions, unknown) or _pointed(node, mentions)
                        or _earlier(node, mentions)) or node[key]
    elif _is_choice(node):
        chosen = _chosen(node, mentions.asked) or _chosen(node, mentions.asked_before)
        out["enum"] = list(chosen) or node["enum"]
        if chosen:  # held to what was said, grammar-only choices included
            out.pop(GRAMMAR_EXTRA, None)
    properties = node.get("properties")
    if isinstance(properties, dict):
        named = [name for name, prop in properties.items()
                 if _held(prop, out["properties"][name], mentions, unknown)
                 or _spanned(name, prop, out["properties"], mentions)
                 or _capped(name, prop, out["properties"], mentions)
                 or _identified(name, prop, out["properties"], mentions)]
        if named:
            out["required"] = list(dict.fromkeys([*node.get("required", []), *named]))
    return out


def _held(prop: Any, narrowed: Any, mentions: Mentions, unknown: tuple[str, ...]) -> bool:
    """Narrow a property's options (`narrowed`, in place) to its shop sets (or choices) when the conversation
    mentions one of their names (the user's words name one of them), else to its other options if any;
    whether it now has to be given (named in the current turn, a choice named in the turns before a short
    follow-up, or the place of the turns a follow-up leans on unless it groups by place)."""
    if not isinstance(prop, dict):
        return False
    options = prop.get("anyOf", [prop])
    # a short follow-up leans on the turn before: "E di Mumbai?" keeps its metric and period
    chosen = [i for i, option in enumerate(options) if _is_choice(option) and (
        _chosen(option, mentions.asked) or mentions.leaning and _chosen(option, mentions.asked_before))]
    if chosen:
        if "anyOf" in prop:
            narrowed["anyOf"] = [narrowed["anyOf"][i] for i in chosen]
        return True
    sets = [i for i, option in enumerate(options) if isinstance(option, dict) and SHOP_SET in option]
    current = any(_current(options[i], mentions, unknown) or _pointed(options[i], mentions) for i in sets)
    earlier = not current and any(_earlier(options[i], mentions) for i in sets)
    # "and last week?" after Bavaria's orders is Bavaria's; "and which region led?" may be the whole shop's
    carried = earlier and not _regrouped(mentions.asked) and any(
        options[i][SHOP_SET] == PLACES_SET for i in sets)
    if "anyOf" in prop and sets and (carried or not earlier):
        kept = [i for i in range(len(options)) if (i in sets) == (current or carried)]
        narrowed["anyOf"] = [narrowed["anyOf"][i] for i in kept or range(len(options))]
    return current or carried


def _regrouped(asked: str) -> bool:
    """Whether a follow-up names a grouping by place ("and by city?"), which may leave the place before."""
    return any(values & {"region", "city", "country"} for values in outright_choices(asked))


def _current(shop_set: dict[str, Any], mentions: Mentions, unknown: tuple[str, ...]) -> tuple[str, ...]:
    """The names a set takes in the current turn: the places the user names that the shop does not have,
    when the user names none it has (then a failed call's list of the shop's places is no choice), else
    the set's names the turn mentions."""
    if unknown and shop_set.get(SHOP_SET) == PLACES_SET and not _names(shop_set, mentions.asked):
        return unknown
    return _names(shop_set, mentions.asked if shop_set.get(SHOP_SET) in ASKED_SETS else mentions.current)


def _pointed(shop_set: dict[str, Any], mentions: Mentions) -> tuple[str, ...]:
    """What the current turn points at, which must be given as if the turn named it: the row of the answer
    before's ranking (`Mentions.referred`: "forecast demand there" after the top regions, the first), else
    the places of the turn before, its answer's included, when it points at a place."""
    referred = mentions.referred
    if referred and referred[0] == shop_set.get(SHOP_SET) and (named := _names(shop_set, referred[1])):
        return named
    return _earlier(shop_set, mentions) if mentions.pointing and shop_set.get(SHOP_SET) == PLACES_SET else ()


def _earlier(shop_set: dict[str, Any], mentions: Mentions) -> tuple[str, ...]:
    """The names a set takes from the earlier turns (the user's words alone for ASKED_SETS): none unless the
    current turn leans on them ("and last week?", not "which category sold most this month?"); the answer
    before counts only for a place the turn points at (an "and ...?" after a ranking of regions is no
    question about one of them); none for a turn about the whole shop ("and overall?")."""
    if not mentions.leaning or mentions.whole_shop:
        return ()
    if shop_set.get(SHOP_SET) in ASKED_SETS:
        return _names(shop_set, mentions.asked_before)
    pointed = mentions.pointing and shop_set.get(SHOP_SET) == PLACES_SET
    return _names(shop_set, f"{mentions.earlier}\n{mentions.answered}" if pointed else mentions.earlier)


def _names(shop_set: dict[str, Any], text: str) -> tuple[str, ...]:
    """The names of a SHOP_SET node that `text` mentions by name or alias (SHOP_ALIASES); a set node and its
    property both ask, so each is read once."""
    return names_in(shop_set[_set_key(shop_set)], shop_set.get(SHOP_ALIASES, {}), text)


def names_in(names: Sequence[str], aliases: Mapping[str, str], text: str) -> tuple[str, ...]:
    """The `names` that `text` mentions, by name or by an alias (alias -> name), each once, in the order
    mentioned; a choice word is no typo of a name."""
    if not text:
        return ()
    return _mentioned_once(tuple(names), tuple(sorted(aliases.items())), text)


@lru_cache(maxsize=32)
def _mentioned_once(
    names: tuple[str, ...], aliases: tuple[tuple[str, str], ...], text: str
) -> tuple[str, ...]:
    """`mentioned` over the names and their aliases, an alias counting as its name; a choice word is no typo
    of a name ("ventes", sales, is one letter from the alias "vestes" of a jackets category)."""
    own = dict(aliases)
    found = mentioned([*names, *own], text, known=_choice_phrases())
    return tuple(dict.fromkeys(own.get(name, name) for name in found))


def _set_key(shop_set: dict[str, Any]) -> str:
    """Where a SHOP_SET node holds its names: GRAMMAR_ENUM (grammar only) or `enum` (shown in the prompt)."""
    return GRAMMAR_ENUM if GRAMMAR_ENUM in shop_set else "enum"


def _spanned(name: str, prop: Any, narrowed: dict[str, Any], mentions: Mentions) -> bool:
    """Hold a day-count property ("horizon_days") to the durations the user's words give, within its bounds
    (`narrowed[name]`, replaced), or a follow-up's to those of the turns it leans on ("et pour toute la
    boutique ?" after next week's forecast for Catalonia had forecast 28 days); whether there are any (it
    then has to be given)."""
    if not (name.endswith("_days") and isinstance(prop, dict) and prop.get("type") == "integer"):
        return False
    low, high = prop.get("minimum", 1), prop.get("maximum", 10_000)
    days = [d for d in durations_in_days(mentions.asked) if low <= d <= high]
    if not days and mentions.leaning:
        days = [d for d in durations_in_days(mentions.earlier) if low <= d <= high][:1]
    if days:
        narrowed[name] = {**narrowed[name], "enum": days}
    return bool(days)


def _capped(name: str, prop: Any, narrowed: dict[str, Any], mentions: Mentions) -> bool:
    """Hold a `max_price` property to the price cap the user's words give ("under 150"; "anything cheaper?"
    after a search: below its cheapest), or to none where they give none and the schema allows it ("Do you
    sell backpacks?" was searched with max_price=0.001, "Habt ihr Rucksäcke?" with 100); whether there is a
    cap (it then has to be given)."""
    options = prop.get("anyOf", [prop]) if isinstance(prop, dict) else []
    if name != "max_price" or not any(o.get("type") in ("number", "integer") for o in options):
        return False
    listed = f"{mentions.earlier}\n{mentions.answered}"  # what "anything cheaper?" compares with
    said = price_caps(mentions.asked) or cheaper_caps(mentions.asked, listed)
    caps = [int(cap) if cap.is_integer() else cap for cap in said if cap > 0]
    if caps:
        narrowed[name] = {"type": "number", "enum": caps}
    elif any(o.get("type") == "null" for o in options):
        narrowed[name] = {"type": "null"}
    return bool(caps)


def _identified(name: str, prop: Any, narrowed: dict[str, Any], mentions: Mentions) -> bool:
    """Hold an id property (a string of a pattern such as ^O\\d+$) to the ids of that form the user's words
    give ("when will my order O999999999 arrive?": the model listed all orders instead), or to none where no
    id of that form was said or shown at all and the schema allows it (the model had recommended for
    "U000123", its description's example); whether there are any (it then has to be given)."""
    options = prop.get("anyOf", [prop]) if isinstance(prop, dict) else []
    pattern = next((o["pattern"] for o in options if o.get("type") == "string" and "pattern" in o), None)
    if not pattern:
        return False
    form = re.compile(rf"\b{pattern.removeprefix('^').removesuffix('$')}\b")
    ids = list(dict.fromkeys(form.findall(mentions.asked)))
    if ids:
        narrowed[name] = {"type": "string", "enum": ids}
    elif any(o.get("type") == "null" for o in options) and not any(
            form.search(text) for text in (mentions.current, mentions.earlier, mentions.answered)):
        narrowed[name] = {"type": "null"}
    return bool(ids)


def choice_values(node: Any) -> list[Any]:
    """Every value of the fixed choices (enums that are no shop set) in `node`."""
    return _gathered(node, lambda n: _options(n) if _is_choice(n) else [])


def _options(choice: dict[str, Any]) -> list[Any]:
    """A fixed choice's values: those the prompt shows, then the grammar-only ones (GRAMMAR_EXTRA)."""
    return [*choice["enum"], *choice.get(GRAMMAR_EXTRA, [])]


def _is_choice(node: Any) -> bool:
    """A fixed list of choices (an enum that is not a shop set)."""
    return isinstance(node, dict) and isinstance(node.get("enum"), list) and SHOP_SET not in node


def _chosen(choice: dict[str, Any], text: str) -> tuple[str, ...]:
    """The values of an enum that `text` names (choice_words); weak words count only where no other word
    names one of its values."""
    strong, weak = named_choices(text)
    options = _options(choice)
    return (tuple(v for v in options if v in strong) or tuple(v for v in options if v in weak)
            or _covering_window(options, text))


_WINDOW = re.compile(r"^(\d+)([hd])$")


def _covering_window(options: list[Any], text: str) -> tuple[str, ...]:
    """Of look-back windows ("24h", "7d", "30d"), the shortest that covers the longest span `text` gives
    ("any fraud in the last 2 weeks?": 30d; it had looked back 24 hours), else the longest; () for other
    choices or a text that gives no span."""
    windows = {value: int(m[1]) / (24 if m[2] == "h" else 1)
               for value in options if isinstance(value, str) and (m := _WINDOW.match(value))}
    days = lookbacks_in_days(text) if windows and len(windows) == len(options) else ()
    if not days:
        return ()
    covering = sorted((length, value) for value, length in windows.items() if length >= max(days))
    return (covering[0][1],) if covering else (max(windows, key=windows.__getitem__),)


@lru_cache(maxsize=32)
def named_choices(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The choice values `text` names by CHOICE_WORDS and by WEAK_CHOICE_WORDS (a longer phrase first)."""
    named = [(value, strong) for phrase in _named_phrases(text) for value, strong in phrase.items()]
    return (frozenset(v for v, strong in named if strong), frozenset(v for v, strong in named if not strong))


@lru_cache(maxsize=32)
def _named_phrases(text: str) -> tuple[dict[str, bool], ...]:
    """Per choice phrase `text` names, the values it names -> whether outright ("this week": this_week, and
    7d for a look-back)."""
    if not text:
        return ()
    values = _choice_table(detect_language(text), bool(_LISTING.search(" ".join(plain_words(text)))))
    # as written: everyday words are one letter from a name ("Western" Australia, German "gestern"); "that
    # city" names a place, not a grouping by city
    said = without_pointers(text)
    return tuple(values[phrase] for phrase in mentioned(list(values), said, typo_letters=None))


def outright_choices(text: str) -> list[frozenset[str]]:
    """Per choice phrase `text` names outright, the values it names."""
    return [frozenset(v for v, strong in phrase.items() if strong) for phrase in _named_phrases(text)
            if any(phrase.values())]


@lru_cache(maxsize=2 * len(LANGUAGES))
def _choice_table(language: str, listing: bool) -> dict[str, dict[str, bool]]:
    """Phrase -> the choice values it names -> whether outright (CHOICE_WORDS, the words of `language` that
    count only in it, and in a question for a list of orders (`listing`) their statuses) or weakly
    (WEAK_CHOICE_WORDS); built once per language and kind of question."""
    own = OWN_LANGUAGE_WORDS.get(language, {})
    listed = LISTED_CHOICE_WORDS if listing else {}
    table: dict[str, dict[str, bool]] = {}
    for words, strong in ((CHOICE_WORDS, True), (own, True), (listed, True), (WEAK_CHOICE_WORDS, False)):
        for value, phrases in words.items():
            for phrase in phrases:
                table.setdefault(phrase, {})[value] = strong
    return table
