"""Operator tools: flat arguments mapped onto the query engine, forecaster, detectors and recommender."""

from __future__ import annotations

import pandas as pd

from tools.agent_tools.args import (
    ComparePeriodsArgs,
    DetectAnomaliesArgs,
    DetectFraudArgs,
    FindSpikesArgs,
    ForecastDemandArgs,
    RecommendArgs,
    ReorderAdviceArgs,
    TopItemsArgs,
)
from tools.agent_tools.backends import Place, ShopBackends, resolve_place
from tools.events.regions import region_of_city
from tools.registry import Session, ToolOutput

_DIMENSION = {"region": "regions", "city": "cities", "country": "countries"}
_PERIOD = {"all_time": None}


def _place_filters(place: Place | None) -> dict[str, list[str]]:
    return {_DIMENSION[place.level]: [place.value]} if place else {}


def _region_or_country(place: Place | None) -> tuple[str | None, str | None]:
    """Engines that work per region or country take a city as its region."""
    if place is None:
        return None, None
    if place.level == "country":
        return None, place.value
    if place.level == "city":
        return region_of_city(place.value).name, None
    return place.value, None


def _query_output(tool: str, result) -> ToolOutput:
    return ToolOutput(tool, result.summary(), frame=result.frame, chart=result.chart())


def find_spikes(backends: ShopBackends, args: FindSpikesArgs, session: Session) -> ToolOutput:
    """Groups whose rate inside a local-time weekly window beats their own baseline."""
    from tools.query import QuerySpec, Spike, run_query

    spec = QuerySpec(
        metric=args.metric,
        group_by=[args.group_by],
        comparison=Spike(days_of_week=[args.day.lower()], hour_from=args.start_hour, hour_to=args.end_hour),
        order_by="lift",
        top_k=10,
    )
    return _query_output("find_spikes", run_query(backends.store, spec))


def compare_periods(backends: ShopBackends, args: ComparePeriodsArgs, session: Session) -> ToolOutput:
    """The metric now vs a week or a year earlier, per group."""
    from tools.query import PeriodOverPeriod, QuerySpec, run_query

    spec = QuerySpec(
        metric=args.metric,
        group_by=[args.group_by],
        comparison=PeriodOverPeriod(shift="week" if args.comparison == "week_over_week" else "year"),
        order_by="pct_change",
        top_k=15,
    )
    return _query_output("compare_periods", run_query(backends.store, spec))


def top_items(backends: ShopBackends, args: TopItemsArgs, session: Session) -> ToolOutput:
    """A ranking or breakdown of one metric over a period, optionally in one place or category."""
    from tools.query import Filters, QuerySpec, run_query

    place = resolve_place(args.place) if args.place else None
    filters = Filters(
        period=_PERIOD.get(args.period, args.period),
        categories=[args.category] if args.category else [],
        **_place_filters(place),
    )
    ordered = args.group_by in ("hour_of_day", "day_of_week")
    spec = QuerySpec(
        metric=args.metric,
        filters=filters,
        group_by=[args.group_by],
        top_k=None if ordered else args.top_k,
    )
    return _query_output("top_items", run_query(backends.store, spec))


def forecast_demand(backends: ShopBackends, args: ForecastDemandArgs, session: Session) -> ToolOutput:
    """Daily units ahead for a product, category or the whole shop, in a place or everywhere."""
    from tools.forecast import forecast_demand as run_forecast

    region, country = _region_or_country(resolve_place(args.place) if args.place else None)
    product = backends.resolve_product(args.product)[0] if args.product else None
    result = run_forecast(
        backends.store, product=product, category=args.category, region=region, country=country,
        horizon=args.horizon_days, model_set="fast",
    )
    return ToolOutput("forecast_demand", result.summary(), frame=result.frame, chart=result.chart())


def reorder_advice(backends: ShopBackends, args: ReorderAdviceArgs, session: Session) -> ToolOutput:
    """Reorder point and quantity from the forecast's quantiles over the lead time."""
    from tools.forecast import reorder_suggestion

    region, country = _region_or_country(resolve_place(args.place) if args.place else None)
    product_id, _ = backends.resolve_product(args.product)
    advice = reorder_suggestion(
        backends.store, product_id, region, stock_on_hand=args.stock_on_hand, lead_time_days=args.lead_time_days,
        service_level=args.service_level, country=country, model_set="fast",
    )
    return ToolOutput("reorder_advice", advice.summary(), frame=advice.frame, chart=advice.chart())


def detect_anomalies(backends: ShopBackends, args: DetectAnomaliesArgs, session: Session) -> ToolOutput:
    """Regional volume surges/outages and complaint waves in reviews."""
    from tools.anomaly import detect_complaint_waves, detect_volume_anomalies

    region, country = _region_or_country(resolve_place(args.place) if args.place else None)
    if country is not None:
        raise ValueError(
            f"Anomaly detection works per region, not per country ({args.place}); name a region such as Bavaria "
            "or leave the place out to scan every region."
        )
    parts: list[ToolOutput] = []
    if args.kind in ("all", "volume"):
        volume = detect_volume_anomalies(backends.store, since=args.since, region=region)
        parts.append(ToolOutput("detect_anomalies", volume.summary(), frame=volume.frame, chart=volume.chart()))
    if args.kind in ("all", "complaints"):
        since = args.since if args.since in ("30d", "90d") else "30d"  # a wave needs weeks of reviews to show
        waves = detect_complaint_waves(backends.store, since=since, state_dir=backends.settings.anomaly_path)
        parts.append(ToolOutput("detect_anomalies", waves.summary(), frame=waves.frame, chart=waves.chart()))
    frames = [p.frame for p in parts if p.frame is not None and not p.frame.empty]
    return ToolOutput(
        "detect_anomalies",
        " ".join(p.summary for p in parts),
        frame=frames[0] if len(frames) == 1 else (pd.concat(frames, ignore_index=True) if frames else None),
        chart=next((p.chart for p in parts if p.chart is not None), None),
    )


def detect_fraud(backends: ShopBackends, args: DetectFraudArgs, session: Session) -> ToolOutput:
    """Ranked suspicious cases with their reasons in words."""
    from tools.anomaly import detect_fraud as run_fraud

    report = run_fraud(backends.store, since=args.since, state_dir=backends.settings.anomaly_path)
    frame = report.frame.head(args.top_k) if report.frame is not None else None
    return ToolOutput("detect_fraud", report.summary(), frame=frame, chart=report.chart())


def recommend(backends: ShopBackends, args: RecommendArgs, session: Session) -> ToolOutput:
    """Recommendations for a customer, or what sells together with a product (optionally in a place)."""
    from tools.agent_tools.customer import recommendation_output

    recommender = backends.recommender
    place = resolve_place(args.place) if args.place else None
    region, _ = _region_or_country(place) if place and place.level != "country" else (None, None)
    if args.product:
        product_id, _ = backends.resolve_product(args.product)
        result = recommender.bought_together(product_id, n=args.n, region=region)
    elif args.user_id:
        result = recommender.recommend_for_user(args.user_id, n=args.n, region=region)
    else:
        raise ValueError("Say which customer (user_id, e.g. U000123) or which product (name or id) to recommend for.")
    return recommendation_output("recommend", result)
