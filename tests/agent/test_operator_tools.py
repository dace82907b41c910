"""Operator tools that can express what operators ask: a place filter and both directions on period
comparisons, summaries that name every row a question may be about. Run on each test shop."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from tools.agent_tools import ShopEngines, build_registry
from tools.query import QuerySpec, run_query
from tools.registry import Session
from tools.results import FULL_ROWS, NAMED_ROWS

OPERATOR = Session("operator")


@pytest.fixture(params=["demo_shop", "second_shop"])
def shop(request: pytest.FixtureRequest, embedder, tmp_path_factory: pytest.TempPathFactory):
    """(store, registry of the real tools, planted truth) of a test shop."""
    store, truth = request.getfixturevalue(request.param)
    engines = ShopEngines(
        store=store, embedder=embedder, anomaly_dir=tmp_path_factory.mktemp("anomaly"),
        open_knowledge_base=lambda: pytest.fail("not used"), open_recommender=lambda: pytest.fail("not used"),
    )
    return store, build_registry(engines), truth


def _every_change(store, group_by: str) -> pd.DataFrame:
    """Week over week revenue per group, every group, straight from the query engine."""
    spec = QuerySpec(metric="revenue", group_by=[group_by],
                     comparison={"kind": "period_over_period", "shift": "week"})
    return run_query(store, spec).frame.set_index(group_by)


def test_compare_periods_in_one_place_gives_that_places_change(shop) -> None:
    store, registry, _ = shop
    every = _every_change(store, "region")
    region = every["current"].idxmax()  # the busiest region: it has a row in both weeks
    out = registry.call("compare_periods", {"metric": "revenue", "group_by": "region", "place": region},
                        OPERATOR)
    assert list(out.frame["region"]) == [region]
    assert out.frame["pct_change"].iloc[0] == pytest.approx(every.loc[region, "pct_change"])
    assert region in out.summary


def test_compare_periods_ranks_the_biggest_drops_first_when_asked(shop) -> None:
    store, registry, _ = shop
    every = _every_change(store, "region").dropna(subset=["pct_change"])
    drops = registry.call("compare_periods", {"group_by": "region", "order": "biggest_drop"}, OPERATOR)
    rises = registry.call("compare_periods", {"group_by": "region"}, OPERATOR)
    assert drops.frame["region"].iloc[0] == every["pct_change"].idxmin()
    assert rises.frame["region"].iloc[0] == every["pct_change"].idxmax()
    assert drops.frame["pct_change"].is_monotonic_increasing


def test_compare_periods_per_city_within_a_country_keeps_that_countrys_cities(shop) -> None:
    store, registry, _ = shop
    profile = store.profile()
    country = next(c for c in profile.at_level("country")
                   if len([p for p in profile.at_level("city") if p.country == c.country]) > 1)
    out = registry.call("compare_periods", {"group_by": "city", "place": country.name}, OPERATOR)
    cities = {p.name for p in profile.at_level("city") if p.country == country.country}
    assert len(out.frame) and set(out.frame["city"]) <= cities


def test_anomaly_summaries_name_rows_beyond_the_first_few(shop) -> None:
    from tools.anomaly.volume import detect_volume_anomalies

    store, _, _ = shop
    result = detect_volume_anomalies(store, since="90d")
    if len(result.frame) <= FULL_ROWS:
        pytest.fail(f"the shop needs more than {FULL_ROWS} anomalies in 90 days for this test; "
                    f"it has {len(result.frame)}")
    summary = result.summary()
    for row in result.frame.iloc[:NAMED_ROWS].itertuples():
        assert f"{row.kind} in {row.region} {row.start:%Y-%m-%d}" in summary
    hidden = len(result.frame) - NAMED_ROWS
    assert (f"{hidden} more in the table" in summary) == (hidden > 0)


def test_fraud_summaries_name_cases_beyond_the_first_few(shop) -> None:
    """The fraud summary named three cases and hid the rest behind "12 more"."""
    _, registry, _ = shop
    out = registry.call("detect_fraud", {"since": "90d"}, OPERATOR)
    open_cases = out.frame[out.frame["status"] == "open"]
    if len(open_cases) <= 3:
        pytest.fail(f"the shop needs more than 3 open fraud cases in 90 days for this test; it has "
                    f"{len(open_cases)}")
    for case_id in open_cases["case_id"].iloc[:NAMED_ROWS]:
        assert case_id in out.summary
    hidden = len(open_cases) - NAMED_ROWS
    assert (f"{hidden} more in the table" in out.summary) == (hidden > 0)


def test_complaint_waves_of_the_last_three_months_are_found_whatever_the_volume_window(shop) -> None:
    store, registry, truth = shop
    wave = truth.complaint_waves[0]
    with store.connect() as con:
        latest = con.execute("SELECT max(review_time) FROM reviews").fetchone()[0]
    assert (latest.date() - wave.end).days <= 90, "the planted wave must be within the tool's 90 days"
    out = registry.call("detect_anomalies", {"kind": "complaints", "since": "7d"}, OPERATOR)
    assert wave.region in out.summary and f"{wave.start:%Y-%m}" in out.summary


@pytest.mark.parametrize("period", ["last_month", "last_week", "yesterday", "last_year"])
def test_calendar_periods_rank_over_that_calendar_span(shop, period: str) -> None:
    """'Last month' is the previous calendar month, not the last 30 days: the ranking equals the query
    engine's over that month's dates (or says there was nothing, when the shop had no data then)."""
    store, registry, _ = shop
    out = registry.call("top_items", {"metric": "revenue", "group_by": "region", "period": period,
                                        "top_k": 20}, OPERATOR)
    reference = run_query(store, QuerySpec(metric="revenue", group_by=["region"],
                                           filters={"period": period}, top_k=20)).frame
    rolling = run_query(store, QuerySpec(metric="revenue", group_by=["region"],
                                         filters={"period": "last_30_days"}, top_k=20)).frame
    got = dict(zip(out.frame["region"], out.frame["revenue"], strict=True)) if len(out.frame) else {}
    want = dict(zip(reference["region"], reference["revenue"], strict=True))
    assert got == pytest.approx(want)
    if period == "last_month" and want:
        assert want != pytest.approx(dict(zip(rolling["region"], rolling["revenue"], strict=True)))


def test_a_month_by_name_ranks_over_the_latest_such_month(shop) -> None:
    """"Chiffre d'affaires en mars": the latest March that has begun, as the query engine counts its dates."""
    from tools.query.spec import MONTHS

    store, registry, _ = shop
    with store.connect() as con:
        last = con.execute("SELECT max(event_time) FROM events").fetchone()[0].date()
    first = (last.replace(day=1) - timedelta(days=1)).replace(day=1)  # the month before the data's last
    month = MONTHS[first.month - 1]
    end = last.replace(day=1) - timedelta(days=1)
    out = registry.call("top_items", {"metric": "revenue", "group_by": "region", "period": month,
                                        "top_k": 20}, OPERATOR)
    reference = run_query(store, QuerySpec(metric="revenue", group_by=["region"], top_k=20,
                                           filters={"date_from": first, "date_to": end})).frame
    assert dict(zip(out.frame["region"], out.frame["revenue"], strict=True)) == pytest.approx(
        dict(zip(reference["region"], reference["revenue"], strict=True)))
    assert f"{first} to {end}" in out.summary


def test_anomalies_of_a_shop_without_reviews_are_its_volume_ones_and_say_why_no_waves(
    embedder, tmp_path
) -> None:
    """"des anomalies à Perth en 24h ?" on a shop that keeps no reviews failed as a whole."""
    from tests.bench.northwind_shop import build_northwind_store
    from tools.errors import EngineInputError

    store, _ = build_northwind_store(tmp_path / "store")
    engines = ShopEngines(store=store, embedder=embedder, anomaly_dir=tmp_path / "anomaly",
                          open_knowledge_base=lambda: pytest.fail("not used"),
                          open_recommender=lambda: pytest.fail("not used"))
    registry = build_registry(engines)
    out = registry.call("detect_anomalies", {"kind": "all", "since": "7d"}, OPERATOR)
    volume = registry.call("detect_anomalies", {"kind": "volume", "since": "7d"}, OPERATOR)
    assert out.summary.startswith(volume.summary) and "no reviews, so no complaint waves" in out.summary
    with pytest.raises(EngineInputError, match="no reviews"):  # asked for complaints: the reason, as before
        registry.call("detect_anomalies", {"kind": "complaints"}, OPERATOR)


def _overall(summary: str) -> float:
    """The number after "overall" in a summary ("...; overall 1,234.50." -> 1234.5)."""
    return float(summary.rsplit("overall ", 1)[1].rstrip(".%").replace(",", ""))


def test_a_ranking_of_a_ratio_or_a_cut_ranking_gives_the_whole_scopes_figure(shop) -> None:
    """"What is the average order value in the UK?" ranks the UK's regions; the rows hold no figure for the
    UK itself (a ratio does not add up), so the summary gives it: revenue over orders of the whole scope."""
    store, registry, _ = shop
    country = next(c.name for c in store.profile().at_level("country")
                   if len([r for r in store.profile().at_level("region") if r.country == c.country]) > 1)
    scope = {"place": country, "period": "last_90_days"}
    aov = registry.call("top_items", {"metric": "average_order_value", "group_by": "region", **scope},
                        OPERATOR)
    revenue = registry.call("top_items", {"metric": "revenue", "group_by": "country", **scope}, OPERATOR)
    orders = registry.call("top_items", {"metric": "orders", "group_by": "country", **scope}, OPERATOR)
    whole = revenue.frame["revenue"].sum() / orders.frame["orders"].sum()
    assert _overall(aov.summary) == pytest.approx(whole, abs=0.006)
    assert _overall(aov.summary) != pytest.approx(aov.frame["average_order_value"].mean(), abs=0.006)
    cut = registry.call("top_items", {"metric": "revenue", "group_by": "city", "period": "all_time",
                                      "top_k": 2}, OPERATOR)
    every = registry.call("top_items", {"metric": "revenue", "group_by": "country", "period": "all_time"},
                          OPERATOR)
    assert len(cut.frame) == 2
    assert _overall(cut.summary) == pytest.approx(every.frame["revenue"].sum(), abs=0.01)
    whole_list = registry.call("top_items", {"metric": "revenue", "group_by": "country", "period": "all_time",
                                             "top_k": 50}, OPERATOR)
    assert "overall" not in whole_list.summary and "total" in whole_list.summary  # its rows add up to it


def test_a_forecast_for_a_city_names_that_city(shop) -> None:
    """"Forecast for Lyon" was forecast for its region, and the answer named the region."""
    store, registry, _ = shop
    with store.connect() as con:
        city = con.execute("SELECT city FROM events WHERE event_type = 'purchase' AND city IS NOT NULL "
                           "GROUP BY city ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    out = registry.call("forecast_demand", {"place": city, "horizon_days": 7}, OPERATOR)
    parent = store.profile().place(city, "city").parent
    assert f"in {city}" in out.summary and (parent is None or f"in {parent}" not in out.summary)


def test_anomalies_of_a_city_name_the_city_and_the_region_watched_for_it(shop) -> None:
    """"Any anomalies in Perth?" answered for Western Australia without naming Perth."""
    store, registry, _ = shop
    city = next(p for p in store.profile().at_level("city") if p.parent)
    out = registry.call("detect_anomalies", {"place": city.name, "kind": "volume", "since": "7d"}, OPERATOR)
    assert out.summary.startswith(f"{city.name} is watched as part of {city.parent}: ")
    assert (f"anomalies in {city.parent} from" in out.summary) == (out.frame is None or out.frame.empty)


def test_anomalies_of_a_country_scan_every_region_of_it_and_no_other(shop) -> None:
    """"Any anomalies in France?" had failed: "Anomaly detection works per region, not per country"."""
    store, registry, _ = shop
    profile = store.profile()
    country = next(c for c in profile.at_level("country")
                   if any(r.country == c.country for r in profile.at_level("region")))
    args = {"place": country.name, "kind": "volume", "since": "30d"}
    out = registry.call("detect_anomalies", args, OPERATOR)
    every = registry.call("detect_anomalies", {"kind": "volume", "since": "30d"}, OPERATOR)
    own = {r.name for r in profile.at_level("region") if r.country == country.country}
    scanned = set(out.frame["region"]) if out.frame is not None and not out.frame.empty else set()
    assert scanned <= own
    flagged = set(every.frame["region"]) if every.frame is not None and not every.frame.empty else set()
    assert scanned == flagged & own  # the same alerts as the whole shop's scan, for this country's regions
    if not scanned:
        assert f"region(s) of {country.name}" in out.summary


def test_a_forecast_whose_product_is_the_place_forecasts_the_place(shop) -> None:
    """"Forecast total units for the United States": the model wrote the country as the product too, and
    the forecast failed with "No product matches 'United States'"."""
    store, registry, _ = shop
    country = store.profile().at_level("country")[0]
    args = {"place": country.name, "product": country.name, "horizon_days": 7}
    out = registry.call("forecast_demand", args, OPERATOR)
    assert f"all products in {country.name}" in out.summary


def test_a_forecast_longer_than_its_history_gives_the_longest_it_allows_and_says_so(shop) -> None:
    """"forecast the next 60 days" on 34 days of history failed: the operator got no number at all."""
    _, registry, truth = shop
    launch = max(truth.launches, key=lambda launch: launch.at)
    asked = min(120, (truth.end - launch.at).days + 20)
    out = registry.call("forecast_demand", {"product": launch.product_id, "horizon_days": asked}, OPERATOR)
    longest = int(out.summary.split("allows at most ")[1].split(":")[0])
    assert out.summary.startswith(f"Asked for {asked} days, but the history allows at most {longest}: ")
    assert longest < asked and out.frame["ds"].nunique() == longest


def test_compare_periods_month_over_month_sets_the_last_30_days_against_the_30_before(shop) -> None:
    """"Qué región cayó más respecto al mes pasado?" had been compared week over week: no month existed."""
    import re
    from datetime import date

    store, registry, _ = shop
    out = registry.call("compare_periods", {"group_by": "region", "comparison": "month_over_month"}, OPERATOR)
    dates = [date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", out.summary)[:4]]
    assert dates[1] - dates[0] == dates[3] - dates[2] == timedelta(days=29)
    assert dates[2] + timedelta(days=30) == dates[0]
    rows = out.frame.set_index("region")
    for (first, last), column in (((dates[0], dates[1]), "current"), ((dates[2], dates[3]), "previous")):
        truth = run_query(store, QuerySpec(metric="revenue", group_by=["region"], filters={
            "date_from": first, "date_to": last})).frame.set_index("region")["revenue"]
        assert rows[column].to_dict() == pytest.approx(truth.reindex(rows.index).fillna(0).to_dict()), column


def test_a_ranking_of_products_names_them_and_as_many_as_asked(shop) -> None:
    """"top 5 products by revenue all time" named three ids ("P0497 39,996.61; ...") and hid two."""
    store, registry, _ = shop
    out = registry.call("top_items", {"metric": "revenue", "group_by": "product", "period": "all_time",
                                      "top_k": 5}, OPERATOR)
    with store.connect() as con:
        names = dict(con.execute("SELECT product_id, name FROM products").fetchall())
    assert len(out.frame) == 5
    for product in out.frame["product"]:
        assert f"{names[product]} ({product})" in out.summary
    default = registry.call("top_items", {"metric": "revenue", "group_by": "product"}, OPERATOR)
    assert "(top 3 of" in default.summary  # ten rows asked by default: three named


def test_a_ranking_can_put_the_lowest_first(shop) -> None:
    """"give me the worst performing category this month" listed the best three: a ranking had one
    direction."""
    store, registry, _ = shop
    every = run_query(store, QuerySpec(metric="revenue", group_by=["category"],
                                       filters={"period": "last_30_days"})).frame
    out = registry.call("top_items", {"metric": "revenue", "group_by": "category", "order": "lowest",
                                      "top_k": 3}, OPERATOR)
    assert list(out.frame["category"]) == list(every.sort_values("revenue")["category"].head(3))
    named = out.summary.split(": ", 1)[1]
    assert "lowest first" in out.summary and named.startswith(out.frame["category"].iloc[0])


def test_a_ranking_of_one_kind_of_goods_counts_only_the_products_of_that_kind(shop) -> None:
    """"how many headlamps did we sell?" was answered for every category: a ranking took no product."""
    from tools.agent_tools.engines import shop_products
    from tools.agent_tools.fields import product_kinds

    store, registry, _ = shop
    products = shop_products(store)
    kind = product_kinds([name for _, name in products], store.profile().categories)[0]
    ids = [pid for pid, name in products if name.split()[-1] == kind]
    out = registry.call("top_items", {"metric": "units", "group_by": "category", "product": kind,
                                      "period": "all_time"}, OPERATOR)
    expected = run_query(store, QuerySpec(metric="units", filters={"products": ids}))
    assert out.frame["units"].sum() == expected.frame["units"].iloc[0] > 0
    assert f"The {len(ids)} products named like {kind!r}" in out.summary
    one = registry.call("top_items", {"metric": "units", "product": ids[0], "period": "all_time"}, OPERATOR)
    assert list(one.frame["product"]) == [ids[0]]


@pytest.mark.parametrize("language", ["de", "fr", "es", "it"])
def test_a_ranking_asked_in_another_language_is_also_said_in_it_for_the_answer(shop, language) -> None:
    """A German operator had read "Orders by region (in Bavaria), ...": the figures are said in their
    language for the composed answer (SAID), the same numbers as the English the model reads; "overall",
    which the tool adds for a cut ranking, too."""
    from agent.composition import compose_answer
    from tools.query.words import METRICS
    from tools.registry import SAID, ToolStep

    _, registry, _ = shop
    args = {"metric": "orders", "group_by": "city", "period": "last_30_days", "top_k": 2}
    english = registry.call("top_items", args, OPERATOR)
    said = registry.call("top_items", args, Session("operator", language=language))
    assert SAID not in english.facts and said.summary == english.summary
    text = said.facts[SAID]
    assert text.startswith(METRICS[language]["orders"].capitalize()) and text != english.summary
    leaders = list(english.frame["city"].head(2))
    assert all(name in text for name in leaders) and text.index(leaders[0]) < text.index(leaders[1])
    overall = english.summary.rsplit("overall ", 1)[1].rstrip(".").replace(",", "")
    assert text.rstrip(".").replace(".", "").replace("\u00a0", "").endswith(overall)
    assert compose_answer([ToolStep("top_items", args, "done", 0.0, output=said)], language) == text
