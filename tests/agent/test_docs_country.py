"""Document search keeps to the country asked about: a question that names a place gets that country's pages
("¿y cuánto tarda en llegar? Spain" quoted France's delivery times), and a signed-in customer's question that
names none their own country's ("Was kostet der Versand?" from a customer whose orders go to France quoted
the Italian shipping page). On the demo and the second shop. A guest and an operator who name no place get
every country's pages."""

from __future__ import annotations

import pytest

from tools.agent_tools import ShopEngines, build_registry
from tools.knowledge import KnowledgeBase
from tools.registry import Session

DATA_PAGES = ("shipping/shipping-germany.md", "shipping/shipping-france.md", "policies/returns.md")


def _page(country: str, name: str, cost: str) -> str:
    return (f"---\ntitle: Shipping to {name}\naudience: customer\ncountry: {country}\n---\n"
            f"# Shipping to {name}\n\n## Shipping costs\n\nStandard delivery to {name} costs {cost}, "
            "free for orders over 50.\n")


@pytest.fixture(scope="module", params=["demo", "second"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder):
    """(tools, store, the two countries with pages) of a shop whose documents hold a shipping page per
    country: the demo's own pages, or two pages written for the second shop's countries."""
    from tests.documents import DATA

    store, _ = request.getfixturevalue("demo_shop" if request.param == "demo" else "second_shop")
    counts = store.connect().execute(
        "SELECT shipping_country FROM orders GROUP BY 1 ORDER BY count(*) DESC").fetchall()
    root = tmp_path_factory.mktemp(f"docs-country-{request.param}")
    if request.param == "demo":
        files = {relative: (DATA / relative).read_text(encoding="utf-8") for relative in DATA_PAGES}
        countries = ("DE", "FR")
    else:
        countries = (counts[0][0], counts[1][0])
        files = {f"shipping/{code}.md": _page(code, store.profile().country(code).name, f"{n + 4}.90 USD")
                 for n, code in enumerate(countries)}
    for relative, text in files.items():
        (root / "docs" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / relative).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(root / "chroma", embedder)
    kb.index(root / "docs", progress=False)
    tools = build_registry(ShopEngines(store=store, embedder=embedder, anomaly_dir=root / "anomaly",
                                       open_knowledge_base=lambda: kb,
                                       open_recommender=lambda: pytest.fail("not used")))
    return tools, store, countries


def _customer_in(store, country: str) -> str:
    (user,) = store.connect().execute(
        "SELECT user_id FROM (SELECT user_id, arg_max(shipping_country, placed_at) AS latest FROM orders "
        "GROUP BY 1) WHERE latest = ? ORDER BY 1 LIMIT 1", [country]).fetchone()
    return user


def _countries(out, store) -> list[str]:
    """The countries of the cited pages, in order ('' for a page about none)."""
    profile = store.profile()
    codes = {p.country for p in profile.places}
    titles = {f"Shipping to {profile.country(code).name}": code for code in codes}
    return [next((code for title, code in titles.items() if c.title.startswith(title)), "")
            for c in out.citations]


def test_a_customer_gets_their_own_countrys_pages(shop) -> None:
    tools, store, countries = shop
    for country in countries:
        user = _customer_in(store, country)
        out = tools.call("search_docs", {"query": "How much does shipping cost?"}, Session("customer", user))
        found = _countries(out, store)
        assert found[0] == country and set(found) <= {country, ""}, (country, found)


def test_a_named_place_gets_its_countrys_pages_a_guest_and_an_operator_every_countrys(shop) -> None:
    tools, store, (first, second) = shop
    user = _customer_in(store, first)
    named = store.profile().country(second).name
    for session in (Session("customer", user), Session("customer", None), Session("operator")):
        out = tools.call("search_docs", {"query": f"How much does shipping to {named} cost?"}, session)
        found = _countries(out, store)
        assert found[0] == second and set(found) <= {second, ""}, (session, found)
    city = next(p for p in store.profile().places if p.level == "city" and p.country == second)
    out = tools.call("search_docs", {"query": f"and how long to {city.name}?"}, Session("customer", user))
    found = _countries(out, store)
    assert second in found and set(found) <= {second, ""}, found
    for session in (Session("customer", None), Session("operator")):
        out = tools.call("search_docs", {"query": "How much does shipping cost?"}, session)
        assert {first, second} <= set(_countries(out, store)), session


def test_a_customers_country_is_their_latest_orders_or_its_citys(tmp_path, embedder) -> None:
    """An order export may give the city only ("to Portland"): its country comes from the profile."""
    from datetime import UTC, datetime

    import pyarrow as pa

    from tools.events.schema import ORDERS
    from tools.events.simulate.profile import demo_profile
    from tools.events.store import EventStore

    store = EventStore(tmp_path / "store")
    store.save_profile(demo_profile())
    rows = [("O1", "U1", "FR", None, datetime(2026, 1, 1, tzinfo=UTC)),
            ("O2", "U1", None, "Munich", datetime(2026, 2, 1, tzinfo=UTC)),
            ("O3", "U2", None, "Atlantis", datetime(2026, 2, 1, tzinfo=UTC))]
    store.write_table("orders", pa.Table.from_pylist(
        [{"order_id": o, "user_id": u, "shipping_country": c, "shipping_city": city, "placed_at": at}
         for o, u, c, city, at in rows], schema=ORDERS))
    engines = ShopEngines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                          open_knowledge_base=lambda: pytest.fail("not used"),
                          open_recommender=lambda: pytest.fail("not used"))
    assert engines.customer_country("U1") == "DE"  # the latest order's city
    assert engines.customer_country("U2") is None and engines.customer_country("U9") is None
