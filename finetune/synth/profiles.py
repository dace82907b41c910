"""Random shop profiles: places of a few countries, an invented catalogue, a currency, generic documents.

Dialogues written over many such shops teach how people name places, categories and products in general,
so nothing memorises one shop's names.
"""

from __future__ import annotations

import random

from finetune.synth.facts import ShopFacts
from finetune.synth.places import CATALOGUE, CURRENCIES
from tools.events.profile import Place, ShopProfile

_KINDS = (
    "Lamps",
    "Rugs",
    "Yoga Mats",
    "Board Games",
    "Tea",
    "Running Shoes",
    "Rain Jackets",
    "Kayaks",
    "Tents",
    "Stationery",
    "Candles",
    "Bikes",
    "Skincare",
    "Dog Food",
    "Cat Toys",
    "Puzzles",
    "Vinyl Records",
    "Kitchen Knives",
    "Plant Pots",
    "Sunglasses",
    "Watches",
    "Socks",
    "Hats",
    "Speakers",
    "Cameras",
    "Drones",
    "Ski Gear",
    "Swimwear",
    "Jewellery",
    "Perfume",
    "Wine Glasses",
    "Office Chairs",
    "Desks",
    "Gartenmöbel",
    "Papeterie",
    "Ropa de Bebé",
    "Articoli da Cucina",
    "Bougies",
    "Spielzeug",
    "Cerámica",
)
_STEMS = ("Vel", "Nor", "Tam", "Qui", "Zar", "Lum", "Oro", "Kal", "Bri", "Fen", "Mar", "Sol", "Tio", "Ark")
_ENDS = ("ora", "ix", "ano", "elle", "ud", "ara", "on", "ist", "eto", "ya")
_TOPICS = (
    (
        "returns",
        "Returns > Window",
        (
            "Unused items can be returned within {days} days of delivery for a full "
            "refund; start the return from your account and print the free label."
        ),
    ),
    (
        "shipping",
        "Shipping > Times",
        (
            "Standard delivery takes {days} working days; express arrives the next "
            "working day when ordered before 2 pm."
        ),
    ),
    (
        "warranty",
        "Warranty > Cover",
        (
            "Every product carries a {days}-month warranty against manufacturing "
            "defects; send a photo of the fault to start a claim."
        ),
    ),
    (
        "payment",
        "Payment > Methods",
        (
            "We accept cards, PayPal and bank transfer; instalments are possible "
            "from {days}0 in the shop's currency."
        ),
    ),
    (
        "account",
        "Account > Password",
        ("Reset your password from the sign-in page; the link is valid for {days} hours."),
    ),
    ("care", "Care > Washing", "Wash at {days}0 degrees at most and dry flat; do not tumble dry."),
)


def _invented_name(rng: random.Random) -> str:
    return rng.choice(_STEMS) + rng.choice(_ENDS)


def random_profile(rng: random.Random) -> ShopProfile:
    """A shop selling in 1-4 random countries, with their regions and cities, and 6-12 invented categories."""
    codes = rng.sample(sorted(CATALOGUE), rng.randint(1, 4))
    places: list[Place] = []
    for code in codes:
        country, regions = CATALOGUE[code]
        places.append(Place("country", country, code, regions[0][1]))
        for region, zone, cities in rng.sample(regions, rng.randint(min(2, len(regions)), len(regions))):
            places.append(Place("region", region, code, zone))
            places += [Place("city", city, code, zone, parent=region) for city in cities]
    categories = tuple(rng.sample(_KINDS, rng.randint(6, 12)))
    return ShopProfile(
        name=f"{_invented_name(rng)} Shop",
        currency=rng.choice(CURRENCIES),
        places=tuple(places),
        categories=categories,
    )


def random_facts(rng: random.Random, profile: ShopProfile) -> ShopFacts:
    """Invented products and users and generic documents for `profile`'s shop."""
    prefix = rng.choice(["P", "SKU-", "A", "ART", "X"])
    products = []
    for i, category in enumerate(rng.choices(profile.categories, k=40)):
        pid = f"{prefix}{rng.randint(10, 99999):05d}" if prefix != "SKU-" else f"SKU-{rng.randint(100, 9999)}"
        products.append(
            (
                f"{pid}{i}" if any(p[0] == pid for p in products) else pid,
                f"{_invented_name(rng)} {category.rstrip('s')} {rng.randint(1, 9)}",
                category,
            )
        )
    users = [f"U{rng.randint(1, 999999):06d}" for _ in range(40)]
    passages = [
        (f"{key}-{rng.randint(1, 9)}", title, text.format(days=rng.choice([14, 30, 3, 5, 24])))
        for key, title, text in _TOPICS
    ]
    places = {level: [p.name for p in profile.at_level(level)] for level in ("country", "region", "city")}
    return ShopFacts(products, users, passages, {k: v for k, v in places.items() if v}, profile.currency)
