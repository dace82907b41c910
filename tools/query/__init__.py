"""Geo-behaviour query engine: structured specs compiled to ibis, run on DuckDB (default) or Spark.

    from tools.query import QuerySpec, Spike, run_query
    spec = QuerySpec(metric="orders", group_by=["region"], comparison=Spike(days_of_week=["friday"],
                     hour_from=20, hour_to=24))
    result = run_query(store, spec)                # places, zones and money from store.profile()
    result.summary()
    # "Auvergne-Rhone-Alpes: Friday-night orders 2.8x its baseline (z=11.2, 1,830 orders); ..."
"""

from tools.query.backends import BACKENDS, QueryBackendError, query_cache
from tools.query.cache import QueryCache
from tools.query.plan import QueryPlan, resolve_period
from tools.query.result import QueryResult
from tools.query.run import QueryTimeout, run_query
from tools.query.spec import (
    DIMENSIONS,
    METRICS,
    Filters,
    PeriodOverPeriod,
    QuerySpec,
    QuerySpecError,
    ShareOfTotal,
    Spike,
    parse_spec,
)

__all__ = [
    "BACKENDS", "DIMENSIONS", "METRICS", "Filters", "PeriodOverPeriod", "QueryBackendError", "QueryCache",
    "QueryPlan", "QueryResult", "QuerySpec", "QuerySpecError", "QueryTimeout", "ShareOfTotal", "Spike",
    "parse_spec", "query_cache", "resolve_period", "run_query",
]
