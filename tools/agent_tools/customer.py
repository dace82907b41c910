"""Customer tools: the shop's documents, its products, and the signed-in customer's own data.

Customer data tools take the user id from the `Session`, never from arguments: the argument models have no
user field and refuse unknown ones.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
from pydantic import Field

from tools.agent_tools.engines import ShopEngines
from tools.agent_tools.fields import Category, OrderStatus, named_category
from tools.knowledge import CUSTOMER as CUSTOMER_AUDIENCE
from tools.knowledge.chunking import LEAD
from tools.knowledge.product_nouns import covers, goods_named
from tools.knowledge.quoting import choose_quote
from tools.knowledge.retrieval import Hit
from tools.recommend.result import RecommendationResult, UnknownUser
from tools.registry import Citation, Session, ToolArgs, ToolOutput, shop_tool

CUSTOMER = ("customer",)
BOTH = ("customer", "operator")

PASSAGE_CHARS = 700  # a small model reads a few short passages better than many long ones
PASSAGES = 3  # passages returned to cite
# Hits read sentence by sentence for the one to quote: a question in another language, searched through its
# translation, often has the answer at rank 4 or 5 (bench/knowledge.py: answer_precision); the embedder's
# own first section is read too when the fusion left it out.
QUOTE_CANDIDATES = 5
# Cosine (MiniLM) of a question to its closest passage below which no passage answers it. bench/knowledge.py
# (`floor_*` lines): the 113 shop questions of bench/knowledge_eval.jsonl, lowest 0.319, median 0.615; 60
# off-topic questions from finetune/synth.py (weather, sport, prices, trivia), median 0.308, highest 0.552,
# 21 below 0.25. The two overlap, so the floor sits below every covered question, with a margin for terse
# ones.
MIN_SIMILARITY = 0.25
NO_PASSAGE = ("I don't know: no passage in our policies and guides answers this. "
              "I can connect you with our team.")


def _with_leads(engines: ShopEngines, hits: list[Hit], filters: dict[str, str]) -> list[Hit]:
    """`hits`, then the lead of every page they come from that they leave out, for the quote to choose from.

    A page's lead states its main rule ("You can return most items within 30 days of delivery"), yet the
    embedder scores it low against a question in other words ("How long is the return window?"), and the
    search ranks the page's sections with the question's words first ("How to return an item ... within 14
    days of creating the return"), which the answer then quoted.
    """
    have = {h.doc_id for h in hits if h.section == LEAD}
    pages = list(dict.fromkeys(h.doc_id for h in hits if h.doc_id not in have))
    return hits + engines.kb.leads(pages, filters)


class SearchDocsArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=300,
                       description="What to look up in the shop's policies and guides.")


@shop_tool(
    description=(
        "Search the shop's policies, FAQ and product guides (shipping, returns, warranty, payment, account, "
        "care). Returns passages to cite."
    ),
    args=SearchDocsArgs,
    roles=BOTH,
)
def search_docs(engines: ShopEngines, args: SearchDocsArgs, session: Session) -> ToolOutput:
    """Hybrid search over the shop's policies and guides; passages come back as citable data.

    A customer gets only customer-facing passages; an operator gets every audience, each passage labelled
    with its audience and source. Passages flagged as instructions to the assistant reach neither. A
    question that names a place gets the pages of that place's country and those about no country
    ("¿Cuánto tarda el envío a España?" had quoted France's delivery times); a signed-in customer whose
    question names none gets their own country's (where their orders go) and those about no country.
    When even the closest passage is far from the question (weather, football, another shop's prices), no
    passage is returned: quoting the nearest policy would answer a question nobody asked. The passage whose
    sentences best answer the question, of the search's first QUOTE_CANDIDATES, comes first with those
    sentences as its quote (the search's first hit is often a neighbour of the section with the answer),
    then the search's next best. The lead of every page a candidate comes from is read too (`_with_leads`).
    """
    customer = session.role == "customer"
    filters = {"flagged": "no", **({"audience": CUSTOMER_AUDIENCE} if customer else {})}
    named = engines.profile().mentioned_places(args.query) if engines.store is not None else []
    countries = {place.country for place in named}
    if not countries and customer and session.user_id:  # "Was kostet der Versand?" from France: France's
        countries = {engines.customer_country(session.user_id)} - {None}
    result = engines.kb.search(args.query, k=QUOTE_CANDIDATES * (2 if countries else 1), filters=filters,
                               dense_extra=1)
    if result.best_similarity is not None and result.best_similarity < MIN_SIMILARITY:
        return ToolOutput("search_docs", NO_PASSAGE, frame=result.frame.iloc[0:0])
    if countries:  # the pages of the country asked about or lived in, and those about none
        kept = [h for h in result.hits if h.country in ("", *countries)]
        result = replace(result, hits=kept[:QUOTE_CANDIDATES + 1])
    hits = _with_leads(engines, list(result.hits), filters)
    quote = choose_quote(result.translation or result.spelled or result.query,
                         [replace(h, text=h.text[:PASSAGE_CHARS]) for h in hits], engines.kb.embedder)
    if quote is not None:  # the quoted passage first: the answer and the model read it first
        hits.insert(0, hits.pop(quote.index))
    result = replace(result, hits=hits[:PASSAGES])
    citations = [
        Citation(h.citation_id, f"{h.title} > {h.section}" + ("" if customer else f" ({h.label})"),
                 h.source_path, h.text[:PASSAGE_CHARS], quote.text if quote is not None and n == 0 else "")
        for n, h in enumerate(result.hits)
    ]
    summary = f"{len(citations)} passages found; cite them by id." if citations else NO_PASSAGE
    facts = {"closest_similarity": result.best_similarity} if result.best_similarity is not None else {}
    return ToolOutput("search_docs", summary, frame=result.frame, chart=result.chart(), citations=citations,
                      facts=facts)


class SearchProductsArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=200, description="What the customer is looking for.")
    category: Category | None = Field(None, description="Only this category.")
    max_price: float | None = Field(None, gt=0, description="Highest price.")
    in_stock_only: bool = Field(True, description="Hide products that are out of stock.")


@shop_tool(
    description="Find products in the catalogue by description, with optional category, "
                "price and stock filters.",
    args=SearchProductsArgs,
    roles=CUSTOMER,
)
def search_products(engines: ShopEngines, args: SearchProductsArgs, session: Session) -> ToolOutput:
    """Semantic product search with filters; results also become product cards. A query that names one
    category by a name the shop's profile gives it ("une poêle": Cookware) searches that category, with its
    name added to the words (the embedder reads English), whatever category the model gave; a category
    that takes none of the goods the query names is dropped (`_other_goods`)."""
    query, category = args.query, args.category
    named = named_category(query, engines.profile(), engines.categories())
    if named is not None:  # the user's words name it; the model may have kept another from the turn before
        query, category = (query if named.casefold() in query.casefold() else f"{query} ({named})"), named
    elif category is not None and _other_goods(query, category, engines):
        category = None  # "und habt ihr auch Stirnlampen?" after backpacks: not in Backpacks
    result = engines.kb.search_products(
        query, k=5, category=category, max_price=args.max_price,
        in_stock=True if args.in_stock_only else None, language=session.language,
    )
    frame = result.frame
    cards = [
        {"product_id": r["product_id"], "name": r["name"], "category": r["category"], "price": r["price"],
         "currency": r.get("currency") or engines.profile().currency, "in_stock": int(r.get("stock", 1)) > 0}
        for r in frame.to_dict(orient="records")
    ]
    # nothing matched: the agent says so in the shopper's language, with the closest categories
    facts = {"query": result.query}
    if not cards:
        facts["closest_categories"] = result.closest_categories
    return ToolOutput.from_result("search_products", result, cards=cards, facts=facts)


def _other_goods(query: str, category: str, engines: ShopEngines) -> bool:
    """Whether `query` names goods (the product lexicon's nouns) and `category`, by its name and the
    profile's aliases, takes none of them: a category the model kept from the turn before ("Stirnlampen"
    searched in Backpacks had found nothing) or guessed. The user's words on what they want win."""
    goods = goods_named(query)
    names = [category, *engines.profile().category_aliases.get(category, ())]
    return bool(goods) and not any(covers(names, noun) for noun in goods)


OPEN_STATUSES = ("placed", "shipped")  # not yet with the customer


class MyOrdersArgs(ToolArgs):
    status: OrderStatus | None = Field(None, description="Only orders with this status.")
    order_id: str | None = Field(None, pattern=r"^O\d+$", description="One order, e.g. O0001234.")


@shop_tool(
    description="The signed-in customer's own orders: status, items, amounts, delivery estimates.",
    args=MyOrdersArgs,
    roles=CUSTOMER,
    needs_user=True,
)
def my_orders(engines: ShopEngines, args: MyOrdersArgs, session: Session) -> ToolOutput:
    """The signed-in customer's orders, newest first (at most 10)."""
    conditions, params = ["user_id = ?"], [session.user_id]
    if args.status:
        conditions.append("status = ?")
        params.append(args.status)
    if args.order_id:
        conditions.append("order_id = ?")
        params.append(args.order_id)
    frame = engines.store.connect().execute(
        "SELECT order_id, placed_at, status, amount, currency, items, shipping_city, delivery_estimate "
        f"FROM orders WHERE {' AND '.join(conditions)} ORDER BY placed_at DESC LIMIT 10",
        params,
    ).fetchdf()
    # what the agent says to the customer, in their language (agent/customer_answers.py)
    facts: dict = {"orders": [], "all": not (args.status or args.order_id), "status": args.status,
                   "order_id": args.order_id}
    if frame.empty:
        what = f" with status {args.status}" if args.status else ""
        return ToolOutput("my_orders", f"You have no orders{what}"
                          f"{' with id ' + args.order_id if args.order_id else ''}.", facts=facts)
    lines, on_the_way = [], []
    for row in frame.itertuples():
        bought = [(i.get("quantity", 1), i.get("name", i.get("product_id")))
                  for i in json.loads(row.items or "[]")]
        open_ = row.status in OPEN_STATUSES
        due = pd.Timestamp(row.delivery_estimate) if open_ and pd.notna(row.delivery_estimate) else None
        eta = f", delivery estimate {due.strftime('%d %b %Y')}" if due is not None else ""
        placed = pd.Timestamp(row.placed_at)
        items = ", ".join(f"{quantity} x {name}" for quantity, name in bought)
        lines.append(f"{row.order_id} placed {placed.strftime('%d %b %Y')}: {row.status}, {row.amount:.2f} "
                     f"{row.currency} ({items}) to {row.shipping_city}{eta}")
        if open_:
            on_the_way.append(f"{row.order_id} ({row.status}{eta})")
        facts["orders"].append({"order_id": row.order_id, "placed": placed.date().isoformat(),
                                "status": row.status, "amount": float(row.amount), "currency": row.currency,
                                "items": bought, "city": row.shipping_city, "open": open_,
                                "eta": due.date().isoformat() if due is not None else None})
    summary = f"{len(frame)} order(s), newest first: " + "; ".join(lines)
    if facts["all"]:  # "where is my order?" is about the open ones: named first
        head = f"On their way: {', '.join(on_the_way)}" if on_the_way else "No orders on their way"
        summary = f"{head}. {summary}"
    return ToolOutput("my_orders", summary, frame=frame.drop(columns=["items"]), facts=facts)


class MyRecommendationsArgs(ToolArgs):
    product: str | None = Field(None, max_length=120,
                                description="Recommend what goes with this product (name or id).")
    n: int = Field(5, ge=1, le=10, description="How many products.")


@shop_tool(
    description="Products recommended for the signed-in customer, or that go with a product.",
    args=MyRecommendationsArgs,
    roles=CUSTOMER,
    needs_user=True,
)
def my_recommendations(engines: ShopEngines, args: MyRecommendationsArgs, session: Session) -> ToolOutput:
    """Recommendations for the signed-in customer (or what goes with a product, the customer's own where
    nothing is bought with it yet), with reasons."""
    recommender = engines.recommender
    if args.product:
        product_id, name = engines.resolve_product(args.product)
        together = recommender.bought_together(product_id, n=args.n)
        if not together.frame.empty:  # "goes well with ..." in the customer's answer
            return recommendation_output("my_recommendations", together, {"for_product": name})
        # nothing is bought with it yet: the customer's own picks rather than nothing
    try:
        result = recommender.recommend_for_user(session.user_id, n=args.n)
    except UnknownUser:  # signed in by the shop, but in neither the trained data nor the users table
        result = recommender.recommend_for_user(None, n=args.n)
        result.notes.append("nothing is known yet of this customer's shopping, so these are the shop's "
                            "favourites")
    return recommendation_output("my_recommendations", result)


def recommendation_output(tool: str, result: RecommendationResult, facts: dict | None = None) -> ToolOutput:
    """Recommendations as a tool output with product cards (shared with the operator tool)."""
    cards = [
        {"product_id": r["product_id"], "name": r["name"], "category": r.get("category"),
         "price": r.get("price"), "currency": result.currency, "reason": r.get("reason")}
        for r in result.frame.to_dict(orient="records")
    ]
    return ToolOutput.from_result(tool, result, cards=cards, facts=facts)
