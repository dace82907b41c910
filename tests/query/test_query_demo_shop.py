"""On the demo shop and on the second shop, the regions planted with a Friday-night spike come out on top,
and no other region does."""

from __future__ import annotations

from tools.query import QuerySpec, Spike, run_query


def test_planted_friday_night_regions_rank_first_and_the_rest_stay_near_baseline(each_shop):
    store, truth = each_shop
    planted = {spike.region for spike in truth.friday_spikes}
    assert len(planted) >= 3
    spec = QuerySpec(metric="orders", group_by=["region"],
                     comparison=Spike(days_of_week=["friday"], hour_from=20, hour_to=24))
    # The Parquet path: the cache gives the same rows (tests/query/test_query_reference.py) but costs a build.
    result = run_query(store, spec, cache=False)
    frame = result.frame
    assert set(frame["region"].head(len(planted))) == planted
    others = frame[~frame["region"].isin(planted)]
    # the default min_support keeps nearly every region in the ranking
    assert len(others) >= 0.8 * (len(store.profile().at_level("region")) - len(planted))
    assert others["lift"].max() < 1.6
    assert frame[frame["region"].isin(planted)]["lift"].min() > 2.0
    assert frame[frame["region"].isin(planted)]["z"].min() > 3.0
    assert result.summary().split(":")[0] in planted


def test_a_breakdown_by_weekday_is_summarised_by_its_highest_and_lowest_days_and_its_total(each_shop):
    """The rows come in weekday order (for the chart), but "busiest weekday" needs the largest first."""
    store, _ = each_shop
    result = run_query(store, QuerySpec(metric="revenue", group_by=["day_of_week"]))
    frame = result.frame
    assert list(frame["day_of_week"])[:2] == ["Monday", "Tuesday"]  # time order, as charts want
    ranked = frame.sort_values("revenue", ascending=False)
    summary = result.summary()
    highs = summary.split("highest ")[1]
    assert highs.startswith(ranked.iloc[0]["day_of_week"])
    assert highs.index(ranked.iloc[1]["day_of_week"]) < highs.index(ranked.iloc[2]["day_of_week"])
    assert f"lowest {ranked.iloc[-1]['day_of_week']}" in summary
    assert f"total {frame['revenue'].sum():,.2f}" in summary


def test_a_ranking_cut_by_top_k_gives_no_total_and_a_whole_one_does(each_shop):
    store, _ = each_shop
    countries = run_query(store, QuerySpec(metric="units", group_by=["country"])).frame
    whole = run_query(store, QuerySpec(metric="units", group_by=["country"], top_k=len(countries) + 1))
    assert f"total {countries['units'].sum():,}" in whole.summary()
    cut = run_query(store, QuerySpec(metric="units", group_by=["country"], top_k=len(countries) - 1))
    assert "total" not in cut.summary()
    rates = run_query(store, QuerySpec(metric="conversion_rate", group_by=["country"], top_k=10))
    assert "total" not in rates.summary()  # a rate does not add up over groups


def test_a_filtered_summary_names_its_filters_so_it_never_reads_as_the_whole_shops(each_shop):
    store, _ = each_shop
    region = store.profile().at_level("region")[0].name
    category = store.connect().execute("SELECT category FROM products ORDER BY 1 LIMIT 1").fetchone()[0]
    spec = QuerySpec(metric="revenue", group_by=["day_of_week"],
                     filters={"regions": [region], "categories": [category]})
    summary = run_query(store, spec).summary()
    assert summary.startswith(f"Revenue ({store.profile().currency}) by day of week (in {region}; "
                              f"category {category}), ")
    assert "(in " not in run_query(store, QuerySpec(metric="revenue", group_by=["day_of_week"])).summary()
