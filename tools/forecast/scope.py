"""What a forecast is about: which product or category, where, and in which unit; names checked against the
data."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from tools.events.categories import shop_categories
from tools.events.profile import Place, ShopProfile, UnknownPlace
from tools.events.zones import ZoneTable
from tools.forecast.errors import ForecastInputError, UnknownCategory, UnknownProduct
from tools.language import mentioned, plain_words

METRICS: tuple[str, ...] = ("units", "revenue")
SEPARATOR = "; "  # between the names of a group's products in Scope.product_name


@dataclass(frozen=True)
class Scope:
    """A validated slice of demand: at most one of product/category, at most one of region/country/city."""

    metric: str = "units"
    product_id: str | None = None
    product_name: str | None = None
    category: str | None = None
    region: Place | None = None
    country: Place | None = None
    zones: frozenset[str] = frozenset()  # the zones of the places the scope covers
    city: Place | None = None
    # products summed because a name's words fit each of them ("headlamp"), with those words; else empty
    product_ids: tuple[str, ...] = ()
    product_words: str | None = None

    @property
    def what(self) -> str:
        """The goods, in words: "Trail Boots (P0232)", "4 products named like 'headlamp' (...)", "category
        Boots" or "all products"."""
        if self.product_id:
            return f"{self.product_name} ({self.product_id})" if self.product_name else self.product_id
        if self.product_ids:
            names = (self.product_name or "").split(SEPARATOR)
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            return f"{len(self.product_ids)} products named like {self.product_words!r} ({shown})"
        if self.category:
            return f"category {self.category}"
        return "all products"

    @property
    def where(self) -> str:
        """The place, in words."""
        if self.city:
            return self.city.name
        if self.region:
            return self.region.name
        if self.country:
            return self.country.name
        return "all places"

    @property
    def top_id(self) -> str:
        """Series id of the whole scope (the hierarchy's top node)."""
        if self.city:
            return "/".join(p for p in (self.city.country, self.city.parent, self.city.name) if p)
        if self.region:
            return f"{self.region.country}/{self.region.name}"
        if self.country:
            return self.country.country
        return "Total"


def _one_of(a: object, b: object, names: str) -> None:
    if a is not None and b is not None:
        raise ForecastInputError(f"Give either {names}, not both.")


ProductRow = tuple[str, str | None, str | None]  # product_id, name, category


def _named_like(con: duckdb.DuckDBPyConnection, words: str) -> list[ProductRow]:
    """Every product whose name has each of `words` as a word, singular or plural ("headlamps": the four
    headlamps; "trekmate headlamp": one of them), by id."""
    wanted = plain_words(words)
    if not wanted:
        return []
    rows = con.execute("SELECT product_id, name, category FROM products WHERE name IS NOT NULL "
                       "ORDER BY product_id").fetchall()
    return [row for row in rows if all(mentioned([word], row[1], typo_letters=None) for word in wanted)]


def resolve_products(con: duckdb.DuckDBPyConnection, product: str) -> list[ProductRow]:
    """The products `product` names: the one with that id or exact name (any case), else every product whose
    name has its words; close names suggested when none fits."""
    key = product.strip()
    rows = con.execute(
        "SELECT product_id, name, category FROM products WHERE lower(product_id) = lower(?) "
        "OR lower(name) = lower(?) "
        "ORDER BY product_id LIMIT 2",
        [key, key],
    ).fetchall()
    if len(rows) == 1 or (rows and rows[0][0].lower() == key.lower()):
        return [rows[0]]
    if rows:
        raise UnknownProduct(
            f"Product name {product!r} matches several products ({', '.join(r[0] for r in rows)}); "
            "use the product id."
        )
    in_events = event_product(con, key)
    fits = [in_events] if in_events else _named_like(con, key)
    if fits:
        return fits
    names = [r[0] for r in con.execute("SELECT name FROM products WHERE name IS NOT NULL").fetchall()]
    close = difflib.get_close_matches(key, names, n=5, cutoff=0.5)
    raise UnknownProduct(f"Unknown product {product!r}."
                         + (f" Did you mean: {', '.join(close)}?" if close else f" {product_hint(con)}"))


def event_product(con: duckdb.DuckDBPyConnection, product_id: str) -> ProductRow | None:
    """The product with this id (any case) as the events name it, without a name: a store without a products
    table (imported events) still names products in its events."""
    return con.execute("SELECT DISTINCT product_id, NULL, category FROM events "
                       "WHERE lower(product_id) = lower(?) LIMIT 1", [product_id.strip()]).fetchone()


def product_hint(con: duckdb.DuckDBPyConnection) -> str:
    """What a product is named by, with one of the shop's own ids ("Use a product id such as 'SKU-101' or
    words of its name."), or that the shop's data names no product."""
    example = con.execute("SELECT min(product_id) FROM products").fetchone()[0] or con.execute(
        "SELECT min(product_id) FROM events WHERE product_id IS NOT NULL").fetchone()[0]
    if example is None:
        return "The shop's data names no products."
    return f"Use a product id such as {str(example)!r} or words of its name."


def resolve_product(con: duckdb.DuckDBPyConnection, product: str) -> ProductRow:
    """The one product `product` names (`resolve_products`); words that fit several are refused with the
    products listed."""
    fits = resolve_products(con, product)
    if len(fits) > 1:
        listed = ", ".join(f"{pid} {name}" for pid, name, _ in fits[:8]) + (" ..." if len(fits) > 8 else "")
        raise UnknownProduct(f"{product!r} fits {len(fits)} products ({listed}); name one of them.")
    return fits[0]


def resolve_category(con: duckdb.DuckDBPyConnection, profile: ShopProfile, category: str) -> str:
    """The shop's name of `category` (any case; `shop_categories`); the message lists the shop's categories
    on a miss."""
    known = shop_categories(con, profile)
    for name in known:
        if name.lower() == category.strip().lower():
            return name
    raise UnknownCategory(f"Unknown category {category!r}. Valid categories: {', '.join(known)}.")


def resolve_scope(
    con: duckdb.DuckDBPyConnection,
    profile: ShopProfile,
    product: str | None = None,
    category: str | None = None,
    region: str | None = None,
    country: str | None = None,
    metric: str = "units",
    city: str | None = None,
) -> Scope:
    """Check every name against the shop's places and catalogue; raise a specific error naming the valid
    choices."""
    if metric not in METRICS:
        raise ForecastInputError(f"Unknown metric {metric!r}. Use one of: {', '.join(METRICS)}.")
    _one_of(product, category, "a product or a category")
    if sum(place is not None for place in (region, country, city)) > 1:
        raise ForecastInputError("Give one of a region, a country or a city, not several.")
    product_id = name = category_name = None
    group: list[ProductRow] = []
    if product is not None:
        group = resolve_products(con, product)
        if len(group) > 1:
            name = SEPARATOR.join(named or pid for pid, named, _ in group)
        else:
            (product_id, name, _), group = group[0], []
    if category is not None:
        category_name = resolve_category(con, profile, category)
    the_region = profile.place(region, "region") if region is not None else None
    the_country = None
    if country is not None:
        try:
            the_country = profile.country(country)
        except UnknownPlace:
            # A region name passed as a country is a common slip; say so rather than just listing countries.
            found = profile.find(country, "region")
            if not found:
                raise
            raise UnknownPlace(f"{country!r} is a region of {found[0].country}, not a country; "
                               "pass it as region.") from None
    the_city = profile.place(city, "city") if city is not None else None
    if the_city is not None:
        zones = frozenset({the_city.tz})
    elif the_region is not None:
        zones = frozenset({the_region.tz} | {c.tz for c in profile.children(the_region)})
    elif the_country is not None:
        zones = frozenset(profile.country_zones(the_country.country))
    else:
        zones = frozenset(ZoneTable.of(profile).zones())
    return Scope(metric, product_id, name, category_name, the_region, the_country, zones, the_city,
                 tuple(pid for pid, _, _ in group), product.strip() if group and product else None)
