"""bench/plans.py reads the value each finding tool's real summary leads with: the row a plan's second call
must use. Run on each test shop."""

from __future__ import annotations

import pytest

from bench.plans import leading_value
from tools.agent_tools import ShopEngines, build_registry
from tools.registry import Session


@pytest.fixture
def registry(each_shop, embedder, tmp_path):
    store, _ = each_shop
    engines = ShopEngines(
        store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
        open_knowledge_base=lambda: pytest.fail("not used"), open_recommender=lambda: pytest.fail("not used"),
    )
    return store, build_registry(engines)


@pytest.mark.parametrize(("tool", "args", "column"), [
    ("find_spikes", {"day": "Friday", "start_hour": 20, "end_hour": 24}, "region"),
    ("find_spikes", {"day": "Saturday", "start_hour": 8, "end_hour": 20, "group_by": "category"}, "category"),
    ("top_items", {"metric": "revenue", "group_by": "region", "period": "all_time"}, "region"),
    ("top_items", {"metric": "units", "group_by": "product", "period": "all_time"}, "product"),
    ("compare_periods", {"metric": "orders", "group_by": "category", "order": "biggest_drop"}, "category"),
])
def test_the_leading_value_is_the_first_row_of_the_tools_result(registry, tool, args, column) -> None:
    _, tools = registry
    out = tools.call(tool, args, Session("operator"))
    if out.frame is None or out.frame.empty:
        pytest.skip(f"{tool} finds nothing on this shop")
    assert leading_value(out.as_message_text(max_rows=0)) == str(out.frame[column].iloc[0])


def test_the_leading_value_of_a_customers_orders_is_an_item_of_the_latest(registry) -> None:
    store, tools = registry
    user = store.connect().execute("SELECT user_id FROM orders GROUP BY 1 ORDER BY count(*) DESC "
                                   "LIMIT 1").fetchone()[0]
    out = tools.call("my_orders", {}, Session("customer", user))
    latest = out.frame.iloc[0]["order_id"]
    items = store.connect().execute("SELECT items FROM orders WHERE order_id = ?", [latest]).fetchone()[0]
    assert leading_value(out.as_message_text(max_rows=0)) in items



def test_unmarked_schemas_are_left_whole_after_tool_results() -> None:
    """The bench's run without the turn's names: its schemas give the narrowing nothing to narrow (a result
    that shows a customer id leaves the id free, as the plans' results do)."""
    from agent.llm.mentions import Mentions
    from agent.llm.turn_values import narrowed_tools
    from bench.plans import unmarked
    from tools.events.simulate.profile import demo_profile

    schemas = build_registry(None, profile=demo_profile()).schemas("operator")
    shown = Mentions("Tuscany leads; U000042 bought most")
    assert narrowed_tools(schemas, shown) != schemas
    assert narrowed_tools(unmarked(schemas), shown) == unmarked(schemas)
