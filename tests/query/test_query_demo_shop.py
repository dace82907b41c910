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
