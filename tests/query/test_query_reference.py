"""Random specs give the same numbers as an independent pandas implementation (property-based)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.query.reference import reference_query
from tests.query.synthetic import store_with, synthetic_events
from tools.query import QuerySpec, QuerySpecError, run_query
from tools.query.spec import ADDITIVE_METRICS, COUNT_METRICS, DIMENSIONS, METRICS, WEEKDAYS


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    table = synthetic_events(n=2_500, seed=11)
    store = store_with(tmp_path_factory.mktemp("reference") / "store", table)
    return store, table.to_pandas()


PERIODS = ["today", "yesterday", "last_7_days", "last_30_days", "this_week", "last_week", "this_month",
           "last_month"]


@st.composite
def specs(draw) -> dict:
    comparison = draw(st.sampled_from([None, "spike", "period_over_period", "share_of_total"]))
    metrics = {"spike": COUNT_METRICS, "share_of_total": ADDITIVE_METRICS}.get(comparison, METRICS)
    spec: dict = {"metric": draw(st.sampled_from(metrics))}
    spec["group_by"] = draw(st.lists(st.sampled_from(DIMENSIONS),
                                     min_size=1 if comparison == "share_of_total" else 0, max_size=2,
                                     unique=True))
    filters = draw(st.fixed_dictionaries({}, optional={
        "period": st.sampled_from(PERIODS),
        "days_of_week": st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=4, unique=True),
        "hour_from": st.integers(0, 23),
        "hour_to": st.integers(1, 24),
        "regions": st.lists(st.sampled_from(["Bavaria", "Greater London", "Canary Islands", "Madrid"]),
                            min_size=1, max_size=2, unique=True),
        "countries": st.lists(st.sampled_from(["DE", "GB", "ES", "FR"]), min_size=1, max_size=2, unique=True),
        "categories": st.lists(st.sampled_from(["Shoes", "Boots", "Books"]), min_size=1, max_size=2,
                               unique=True),
        "channels": st.lists(st.sampled_from(["web", "app"]), min_size=1, max_size=1),
    }))
    if filters.get("hour_from") is not None and filters.get("hour_from") == filters.get("hour_to"):
        filters.pop("hour_to")
    spec["filters"] = filters
    if comparison == "spike":
        start = draw(st.integers(0, 22))
        spec["comparison"] = {
            "kind": "spike",
            "days_of_week": draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=2, unique=True)),
            "hour_from": start,
            "hour_to": draw(st.integers(start + 1, 24)),
            "min_support": draw(st.integers(1, 4)),
        }
    elif comparison == "period_over_period":
        spec["comparison"] = {"kind": comparison, "shift": draw(st.sampled_from(["week", "previous"]))}
    elif comparison:
        spec["comparison"] = {"kind": comparison}
    return spec


def _key_text(column: pd.Series) -> list[str]:
    return ["<null>" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in column]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if not keys:
        return frame.reset_index(drop=True)
    order = sorted(range(len(frame)), key=lambda i: tuple(_key_text(frame[k].iloc[[i]])[0] for k in keys))
    return frame.iloc[order].reset_index(drop=True)


def assert_same_result(engine: pd.DataFrame, reference: pd.DataFrame, spec: QuerySpec) -> None:
    """Same rows (matched on the group keys) and the same numbers, to floating-point precision."""
    columns = spec.output_columns()
    engine, reference = _sorted(engine[columns], spec.group_by), _sorted(reference[columns], spec.group_by)
    assert len(engine) == len(reference), f"{len(engine)} rows vs {len(reference)} in the reference"
    for key in spec.group_by:
        assert _key_text(engine[key]) == _key_text(reference[key]), key
    for column in columns:
        if column not in spec.group_by:
            np.testing.assert_allclose(
                engine[column].astype(float), reference[column].astype(float), rtol=1e-9, atol=1e-9,
                equal_nan=True, err_msg=column,
            )


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=specs(), cache=st.booleans())
def test_random_specs_agree_with_the_pandas_reference(shop, raw, cache):
    """Both DuckDB paths: the query cache and the Parquet files."""
    store, events = shop
    spec = QuerySpec.model_validate(raw)
    try:
        result = run_query(store, spec, cache=cache)
    except QuerySpecError as exc:
        # Only a spike window with no hours (or no baseline) inside the filters may be refused.
        assert "spike window" in str(exc), exc
        return
    assert_same_result(result.frame, reference_query(events, spec), spec)
