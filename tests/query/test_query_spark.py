"""The same specs give the same answers on Spark (ibis' pyspark backend, local mode) as on DuckDB."""

from __future__ import annotations

import pytest

from tests.query.synthetic import store_with, synthetic_events
from tests.query.test_query_reference import assert_same_result
from tools.query import QuerySpec, run_query

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark.sql")
    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .appName("chronotope-query-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "false")  # tiny data: re-planning costs more than it saves
        .config("spark.sql.codegen.wholeStage", "false")  # and so does generating Java for each query
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    # One file (a live batch): Spark then plans one read task instead of one per day.
    return store_with(tmp_path_factory.mktemp("spark") / "store", synthetic_events(n=1_200, seed=8),
                      partitioned=False)


SPECS = {
    # Friday-night spike per region: local time in four zones across the March clock change.
    "spike": {"metric": "orders", "group_by": ["region"],
              "comparison": {"kind": "spike", "days_of_week": ["friday", "saturday"], "hour_from": 18,
                             "hour_to": 24, "min_support": 1}},
    # Session metric (two-level distinct counts) by local hour, with a relative period.
    "conversion": {"metric": "conversion_rate", "group_by": ["country", "hour_of_day"],
                   "filters": {"period": "last_30_days"}},
    # Week over week by category and month, with an hour range wrapping midnight.
    "period": {"metric": "revenue", "group_by": ["category", "month"],
               "filters": {"hour_from": 22, "hour_to": 6}, "comparison": {"kind": "period_over_period"}},
}


@pytest.mark.parametrize("name", list(SPECS))
def test_spark_and_duckdb_agree(spark, store, name):
    spec = QuerySpec.model_validate(SPECS[name])
    on_spark = run_query(store, spec, backend="spark", timeout_s=120)
    assert on_spark.backend == "pyspark"
    assert_same_result(on_spark.frame, run_query(store, spec).frame, spec)
    assert len(on_spark.frame) > 0
