"""Every bad spec is refused with a QuerySpecError that says what is wrong and lists the valid choices."""

from __future__ import annotations

import json

import pytest

from tests.query.synthetic import store_with, synthetic_events
from tools.query import QuerySpec, QuerySpecError, parse_spec, run_query
from tools.query.spec import resolve_places


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_with(tmp_path_factory.mktemp("spec") / "store", synthetic_events(n=400, seed=3))


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"metric": "profit"}, ["metric", "'orders'", "'conversion_rate'"]),
        ({"metric": "orders", "group_by": ["postcode"]}, ["group_by", "'region'", "'hour_of_day'"]),
        ({"metric": "orders", "filters": {"channels": ["fax"]}}, ["channels", "'web'"]),
        ({"metric": "orders", "filters": {"period": "last_fortnight"}}, ["period", "'last_30_days'"]),
        ({"metric": "orders", "filters": {"days_of_week": ["funday"]}}, ["days_of_week", "'friday'"]),
        ({"metric": "orders", "filters": {"date_from": "2026-04-01", "date_to": "2026-03-01"}},
         ["date_to (2026-03-01) is before date_from (2026-04-01)"]),
        ({"metric": "orders", "filters": {"period": "last_7_days", "date_from": "2026-04-01"}},
         ["either `period` or `date_from`/`date_to`"]),
        ({"metric": "orders", "filters": {"hour_from": 20, "hour_to": 20}},
         ["local hour range 20-20 is empty"]),
        ({"metric": "orders", "filters": {"hour_from": 25}}, ["hour_from", "less than or equal to 23"]),
        ({"metric": "orders", "comparison": {"kind": "spike", "hour_from": 22, "hour_to": 2}},
         ["spike window 22-2 is empty or crosses midnight"]),
        ({"metric": "orders", "comparison": {"kind": "spike", "days_of_week": []}},
         ["spike window has no days"]),
        ({"metric": "revenue", "comparison": {"kind": "spike"}}, ["not a count", "orders, units"]),
        ({"metric": "conversion_rate", "group_by": ["region"], "comparison": {"kind": "share_of_total"}},
         ["does not", "orders, revenue"]),
        ({"metric": "orders", "comparison": {"kind": "share_of_total"}}, ["needs a group_by"]),
        ({"metric": "orders", "comparison": {"kind": "trend"}},
         ["comparison", "'spike'", "'period_over_period'"]),
        ({"metric": "orders", "group_by": ["region"], "order_by": "profit"},
         ["cannot order by 'profit'", "region, orders"]),
        ({"metric": "orders", "group_by": ["region", "region"]}, ["repeats a dimension"]),
        ({"metric": "orders", "top_k": 100000}, ["top_k", "less than or equal to 1000"]),
        ({"metric": "orders", "sql": "DROP TABLE events"}, ["sql: unknown field"]),
    ],
)
def test_bad_spec_is_refused_with_the_valid_choices(spec, says):
    with pytest.raises(QuerySpecError) as caught:
        parse_spec(spec)
    for text in says:
        assert text in str(caught.value)


def test_constructing_a_bad_spec_directly_raises_query_spec_error_too():
    with pytest.raises(QuerySpecError, match="hour_from"):
        QuerySpec(metric="orders", filters={"hour_from": 30})


@pytest.mark.parametrize(
    ("filters", "says"),
    [
        ({"regions": ["Atlantis"]}, ["Unknown region 'Atlantis'", "Known regions: Ile-de-France", "Bavaria"]),
        ({"countries": ["Narnia"]}, ["Unknown country 'Narnia'", "Known countries: France, Germany"]),
        ({"cities": ["Gotham"]}, ["Unknown city 'Gotham'", "Lyon"]),
    ],
)
def test_places_the_shop_profile_does_not_know_are_refused_with_its_places(store, filters, says):
    with pytest.raises(QuerySpecError) as caught:
        run_query(store, {"metric": "orders", "filters": filters})
    for text in says:
        assert text in str(caught.value)


def test_spec_json_with_a_syntax_error_is_a_query_spec_error():
    with pytest.raises(QuerySpecError, match="Invalid query spec"):
        parse_spec('{"metric": "orders",')


def test_place_names_are_normalised_to_the_profiles(store):
    filters = {"regions": ["de-by", "canary islands"], "countries": "germany", "cities": ["lyon"],
               "days_of_week": ["Fri", 6]}
    spec = resolve_places(parse_spec({"metric": "orders", "filters": filters}), store.profile())
    assert spec.filters.regions == ["Bavaria", "Canary Islands"]
    assert spec.filters.countries == ["DE"]
    assert spec.filters.cities == ["Lyon"]
    assert spec.filters.days_of_week == ["friday", "sunday"]


def test_spec_schema_lists_the_metric_choices_for_an_llm():
    schema = json.dumps(QuerySpec.model_json_schema())
    assert '"conversion_rate"' in schema and '"hour_of_day"' in schema and '"last_30_days"' in schema


def test_unknown_category_is_checked_against_the_data_and_lists_what_exists(store):
    with pytest.raises(QuerySpecError) as caught:
        run_query(store, {"metric": "orders", "filters": {"categories": ["Spaceships"]}})
    assert "Unknown category 'Spaceships'" in str(caught.value)
    assert "Boots" in str(caught.value) and "Shoes" in str(caught.value)


def test_category_case_is_fixed_from_the_data(store):
    result = run_query(store, {"metric": "orders", "filters": {"categories": ["shoes"]}})
    assert result.spec.filters.categories == ["Shoes"]


def test_unknown_product_is_refused_when_the_store_has_a_products_table(tmp_path):
    import pyarrow as pa

    from tools.events.schema import PRODUCTS

    shop = store_with(tmp_path / "store", synthetic_events(n=100, seed=1))
    shop.write_table("products", pa.Table.from_pylist([{"product_id": "p1", "name": "Boot",
                                                        "category": "Boots"}], schema=PRODUCTS))
    with pytest.raises(QuerySpecError, match="Unknown product 'p999'.*p1"):
        run_query(shop, {"metric": "orders", "filters": {"products": ["p999"]}})


def test_spike_window_outside_the_filtered_hours_is_refused(store):
    spec = {"metric": "orders", "filters": {"hour_from": 8, "hour_to": 12},
            "comparison": {"kind": "spike", "hour_from": 20, "hour_to": 24}}
    with pytest.raises(QuerySpecError, match="has no hours inside the filtered period"):
        run_query(store, spec)


def test_spike_window_covering_every_filtered_hour_is_refused(store):
    spec = {"metric": "orders", "filters": {"days_of_week": ["friday"], "hour_from": 20},
            "comparison": {"kind": "spike", "hour_from": 20, "hour_to": 24}}
    with pytest.raises(QuerySpecError, match="no baseline"):
        run_query(store, spec)


def test_unknown_backend_lists_the_backends(store):
    with pytest.raises(QuerySpecError, match="Unknown backend 'oracle'. Valid backends: duckdb, spark"):
        run_query(store, {"metric": "orders"}, backend="oracle")
