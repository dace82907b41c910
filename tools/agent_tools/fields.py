"""Field types shared by the tools' argument models: few fields, enums for closed sets, defaults for the rest.

A 0.5B model fills three flat fields far more reliably than a nested spec; each tool's argument model
sits beside its function (`customer.py`, `operator.py`), which maps it onto the engines' richer APIs. The
shop's own closed sets (its categories, its places) are named here and filled in per registry from the
shop's profile (`shop_sets`), so the same tools serve any shop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from tools.events.countries import country_aliases
from tools.events.profile import ShopProfile
from tools.knowledge.product_nouns import category_aliases
from tools.language import mentioned, plain_words
from tools.query.spec import MONTHS
from tools.registry import CATEGORIES_SET, GRAMMAR_ENUM, GRAMMAR_EXTRA, PLACES_SET, PRODUCTS_SET


def _categories_schema(schema: dict[str, Any]) -> None:
    """The shop's categories as an enum the prompt shows (filled in by the registry)."""
    schema.clear()
    schema.update({"enum": CATEGORIES_SET, "type": "string"})


Category = Annotated[str, Field(json_schema_extra=_categories_schema)]

_EVERYWHERE = {"all", "any", "everywhere", "overall", "total", "none", "all regions"}


def _everywhere_is_none(value: object) -> object:
    """"all"/"everywhere" means no place filter, which is what a model writing it intends."""
    return None if isinstance(value, str) and value.strip().lower() in _EVERYWHERE else value


# A region, city or country name. The closed set (the shop's places) is enforced by the decoding grammar
# (GRAMMAR_ENUM) without being listed in the model's prompt: a hundred names would swamp a small model. The
# tools resolve the name against the profile and list the valid ones when it is unknown.
Place = Annotated[str, Field(min_length=2, max_length=60, json_schema_extra={GRAMMAR_ENUM: PLACES_SET})]
AnyPlace = Annotated[Place | None, BeforeValidator(_everywhere_is_none)]
# A product's name, held by the decoding grammar to those the user's own words mention (the shop's products,
# GRAMMAR_ENUM; a product id counts as its name). Asked "forecast the Trekmate Family Headlamp" or "...
# P0232", the model left the product out and forecast the whole shop.
Product = Annotated[str, Field(max_length=120, json_schema_extra={GRAMMAR_ENUM: PRODUCTS_SET})]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SHOWN_PERIODS = (  # the periods the prompt lists (months by name are the grammar's only)
    "today", "yesterday", "this_week", "last_week", "last_7_days", "last_30_days", "this_month", "last_month",
    "last_90_days", "this_year", "last_year", "all_time",
)


def grammar_only(*values: str) -> Callable[[dict[str, Any]], None]:
    """A schema hook that keeps `values` of an enum out of the prompt (GRAMMAR_EXTRA): the grammar takes them
    where the user's words name them (agent/llm/turn_values.py), and the prompt stays as it was."""

    def hook(schema: dict[str, Any]) -> None:
        schema[GRAMMAR_EXTRA] = [value for value in schema["enum"] if value in values]
        schema["enum"] = [value for value in schema["enum"] if value not in values]

    return hook


# A window of time: a relative period, or a month by name (the latest that has begun; "in March" is the
# user's choice to name).
Period = Annotated[Literal[*SHOWN_PERIODS, *MONTHS], Field(json_schema_extra=grammar_only(*MONTHS))]
TIME_GRAINS = ("day", "week", "month")  # "revenue per month this year": a series, the grammar's only
GroupBy = Annotated[
    Literal["product", "category", "region", "city", "country", "hour_of_day", "day_of_week", *TIME_GRAINS],
    Field(json_schema_extra=grammar_only(*TIME_GRAINS)),
]
Since = Literal["24h", "7d", "30d", "90d"]
Metric = Literal[
    "orders", "revenue", "units", "sessions", "unique_users", "conversion_rate", "average_order_value",
    "refunds",
]
OrderStatus = Literal["placed", "shipped", "delivered", "returned", "cancelled"]


def shop_sets(profile: ShopProfile, categories: tuple[str, ...] = (),
              products: tuple[tuple[str, str], ...] = ()) -> dict[str, list[str]]:
    """The closed sets the tools offer for one shop: its categories (the profile's, else `categories`), its
    place names (countries, regions, then the cities that are not also a region's name) and its products'
    names (none without `products`, (id, name) pairs)."""
    regions = [p.name for p in profile.at_level("region")]
    cities = sorted({p.name for p in profile.at_level("city") if p.name not in regions})
    return {
        CATEGORIES_SET: list(profile.categories or categories),
        PLACES_SET: [p.name for p in profile.at_level("country")] + regions + cities,
        PRODUCTS_SET: list(dict.fromkeys(name for _, name in products)),
    }


def shop_aliases(profile: ShopProfile, categories: tuple[str, ...] = (),
                 products: tuple[tuple[str, str], ...] = ()) -> dict[str, dict[str, str]]:
    """Per closed set, the other names of its members (alias -> name): the profile's place aliases
    ("Bayern" -> "Bavaria"; a country's ISO code, as rankings by country show it, and its names in the
    five languages, "Stati Uniti"; every place's name is in the set, a city named like its region by that
    name), category aliases (the profile's, "Kopfhörer" -> "Headphones", and the product lexicon's words
    for the goods a category's name says: "Jacken" -> "Outdoor Jackets"), of the categories the shop has
    (the profile's, else `categories`), product ids ("P0232" -> its name) and the kinds of goods their
    names share (`product_kinds`: "Headlamp" -> itself, a name for several products)."""
    sold = set(profile.categories or categories)
    places = {alias: place.name for place in profile.places for alias in place.aliases}
    places |= {p.country: p.name for p in profile.at_level("country") if p.country != p.name}  # "FR"
    named = {place.name for place in profile.places}
    places |= {alias: p.name for p in profile.at_level("country") for alias in country_aliases(p.country)
               if alias not in places and alias not in named}  # "Stati Uniti", whatever the profile lists
    category_names = category_aliases(sorted(sold)) | {
        alias: category for category, names in profile.category_aliases.items() if category in sold
        for alias in names}
    blocked = [*places, *(p.name for p in profile.places), *category_names, *sold]
    kinds = product_kinds([name for _, name in products], blocked)
    return {PLACES_SET: places, CATEGORIES_SET: category_names,
            PRODUCTS_SET: {pid: name for pid, name in products} | {kind: kind for kind in kinds}}


def product_kinds(names: Sequence[str], blocked: Sequence[str] = ()) -> list[str]:
    """The kinds of goods the shop's product names share: the last word, if of 4 letters or more, of two
    names or more ("Trekmate Family Headlamp", "Lumen Headlamp": "Headlamp"), none a word of `blocked` (the
    shop's places and categories: "Boots" is a category, not a kind). A question that names one, in the
    singular or plural ("forecast headlamps"), names those products together, as the forecaster reads them;
    the model had left the product out and forecast the whole shop."""
    heads: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        words = [word for word in plain_words(name, fold_case=False) if word.isalpha()]  # not "1kg"
        if words and len(words[-1]) >= 4:  # "Over-Ear", "Slip-On": no kind
            heads.setdefault(words[-1].lower(), []).append(words[-1])
    taken = {word for name in blocked for word in plain_words(name)}
    return [forms[0] for head, forms in heads.items()
            if len(forms) >= 2 and not {head, f"{head}s", head.removesuffix("s")} & taken]


def named_category(text: str, profile: ShopProfile, categories: tuple[str, ...]) -> str | None:
    """The one category of `categories` that `text` names by name or by one of the profile's aliases, as
    whole words (`mentioned`, as written: "une poêle" names Cookware; a name inside a longer one that is
    named does not count: "fitness tracker" is not Fitness); None when it names none or several."""
    owner = {name: category for category in categories
             for name in (category, *profile.category_aliases.get(category, ()))}
    named = {owner[name] for name in mentioned(list(owner), text, typo_letters=None)}
    return named.pop() if len(named) == 1 else None
