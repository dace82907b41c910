"""A signed-in customer's document search prefers their own country's pages: "Was kostet der Versand?"
from a customer whose orders go to France quoted the Italian shipping page. On the demo and the second shop.
A question that names a place, a guest and an operator get every country's pages."""

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
        "SELECT country FROM events WHERE event_type = 'purchase' GROUP BY 1 ORDER BY count(*) DESC"
    ).fetchall()
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
        "SELECT user_id FROM (SELECT user_id, arg_max(country, event_time) AS latest FROM events "
        "WHERE event_type = 'purchase' AND user_id IS NOT NULL GROUP BY 1) WHERE latest = ? ORDER BY 1 "
        "LIMIT 1", [country]).fetchone()
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


def test_a_named_place_a_guest_and_an_operator_get_every_countrys_pages(shop) -> None:
    tools, store, (first, second) = shop
    user = _customer_in(store, first)
    named = store.profile().country(second).name
    out = tools.call("search_docs", {"query": f"How much does shipping to {named} cost?"},
                     Session("customer", user))
    assert _countries(out, store)[0] == second
    for session in (Session("customer", None), Session("operator")):
        out = tools.call("search_docs", {"query": "How much does shipping cost?"}, session)
        assert {first, second} <= set(_countries(out, store)), session
