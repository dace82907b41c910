"""Operator tools: flat arguments mapped onto the query engine, forecaster, detectors and recommender."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

import pandas as pd
from pydantic import Field

from tools.agent_tools.customer import recommendation_output
from tools.agent_tools.engines import ShopEngines
from tools.agent_tools.fields import AnyPlace, Category, GroupBy, Metric, Period, Product, Since, Weekday
from tools.errors import EngineInputError
from tools.events.profile import Place
from tools.language import LANGUAGES
from tools.registry import GRAMMAR_ONLY, SAID, USER_ID, Session, ToolArgs, ToolOutput, shop_tool

OPERATOR = ("operator",)
_DIMENSION = {"region": "regions", "city": "cities", "country": "countries"}
_PERIOD = {"all_time": None}


def _place_filters(place: Place | None) -> dict[str, list[str]]:
    if place is None:
        return {}
    return {_DIMENSION[place.level]: [place.country if place.level == "country" else place.name]}


def _region_or_country(place: Place | None) -> tuple[str | None, str | None]:
    """Engines that work per region or country take a city as its region."""
    if place is None:
        return None, None
    if place.level == "country":
        return None, place.country
    if place.level == "city":  # a city straight under its country is forecast with its country
        return (place.parent, None) if place.parent else (None, place.country)
    return place.name, None


class FindSpikesArgs(ToolArgs):
    day: Weekday = Field("Friday", description="Day of the week (local time).")
    start_hour: int = Field(20, ge=0, le=23, description="Window start, local hour.")
    end_hour: int = Field(24, ge=1, le=24, description="Window end, local hour (24 = midnight).")
    metric: Literal["orders", "units", "views"] = Field(
        "orders", description="What to count (a spike compares counts per hour)."
    )
    group_by: Literal["region", "city", "country", "category"] = Field(
        "region", description="Compare these groups."
    )


@shop_tool(
    description=(
        "Which regions (or cities, countries, categories) spike in a local-time window of the week, "
        "e.g. Friday 20-24, against their own baseline."
    ),
    args=FindSpikesArgs,
    roles=OPERATOR,
)
def find_spikes(engines: ShopEngines, args: FindSpikesArgs, session: Session) -> ToolOutput:
    """Groups whose rate inside a local-time weekly window beats their own baseline."""
    from tools.query import QuerySpec, Spike, run_query

    spec = QuerySpec(
        metric=args.metric,
        group_by=[args.group_by],
        comparison=Spike(days_of_week=[args.day.lower()], hour_from=args.start_hour, hour_to=args.end_hour),
        order_by="lift",
        top_k=10,
    )
    return ToolOutput.from_result("find_spikes", run_query(engines.store, spec))


_SHIFTS: dict[str, Literal["week", "year", "previous"]] = {
    "week_over_week": "week", "month_over_month": "previous", "year_over_year": "year"}


class ComparePeriodsArgs(ToolArgs):
    metric: Metric = Field("revenue", description="What to compare.")
    comparison: Literal["week_over_week", "month_over_month", "year_over_year"] = Field(
        "week_over_week", description="Which periods."
    )
    group_by: Literal["region", "city", "country", "category", "product"] = Field(
        "region", description="Per group."
    )
    place: AnyPlace = Field(None, description="Only this region, city or country.")
    order: Literal["biggest_rise", "biggest_drop"] = Field(
        "biggest_rise", description="Rank the biggest rises or the biggest drops first."
    )


@shop_tool(
    description="Change of a metric week over week, month over month or year over year, per region, city, "
                "country, category or product, optionally in one place; biggest rises or drops first.",
    args=ComparePeriodsArgs,
    roles=OPERATOR,
)
def compare_periods(engines: ShopEngines, args: ComparePeriodsArgs, session: Session) -> ToolOutput:
    """The metric now vs a week or a year earlier (the last 7 days), or the last 30 days vs the 30 before,
    per group, optionally in one place."""
    from tools.query import Filters, PeriodOverPeriod, QuerySpec, run_query

    place = engines.resolve_place(args.place) if args.place else None
    monthly = args.comparison == "month_over_month"
    spec = QuerySpec(
        metric=args.metric,
        filters=Filters(period="last_30_days" if monthly else None, **_place_filters(place)),
        group_by=[args.group_by],
        comparison=PeriodOverPeriod(shift=_SHIFTS[args.comparison]),
        order_by="pct_change",
        order="asc" if args.order == "biggest_drop" else "desc",
        top_k=15,
    )
    result = run_query(engines.store, spec)
    return ToolOutput.from_result("compare_periods", result, facts=_said(result.summary, session))


class TopItemsArgs(ToolArgs):
    metric: Metric = Field("revenue", description="What to rank by.")
    group_by: GroupBy = Field("product", description="What to rank.")
    place: AnyPlace = Field(None, description="Only this region, city or country.")
    category: Category | None = Field(None, description="Only this category.")
    period: Period = Field("last_30_days", description="Time window.")
    top_k: int = Field(10, ge=1, le=50, description="How many rows.")
    order: Literal["highest", "lowest"] = Field("highest",
                                                description="Highest first, or lowest (the worst).")
    product: Product | None = Field(None, description="Only this product, or the products of a kind.",
                                    json_schema_extra={GRAMMAR_ONLY: True})


@shop_tool(
    description=(
        "Rank or break down a metric (revenue, orders, conversion...) by product, category, place, "
        "hour or weekday over a period, optionally in one place or category; highest or lowest first."
    ),
    args=TopItemsArgs,
    roles=OPERATOR,
)
def top_items(engines: ShopEngines, args: TopItemsArgs, session: Session) -> ToolOutput:
    """A ranking or breakdown of one metric over a period, optionally in one place or category; with the
    whole scope's figure where the rows do not add up to it."""
    from tools.query import Filters, QuerySpec, run_query
    from tools.query.metrics import RATIO_METRICS
    from tools.query.spec import TIME_DIMENSIONS
    from tools.query.words import format_value, words

    place = engines.resolve_place(args.place) if args.place else None
    products = _named_products(engines, args.product) if args.product else []
    filters = Filters(
        period=_PERIOD.get(args.period, args.period),
        categories=[args.category] if args.category else [],
        products=[pid for pid, _ in products],
        **_place_filters(place),
    )
    ordered = args.group_by in TIME_DIMENSIONS  # hours, weekdays, days, weeks, months: all, in time order
    spec = QuerySpec(
        metric=args.metric,
        filters=filters,
        group_by=[args.group_by],
        top_k=None if ordered else args.top_k,
        order="asc" if args.order == "lowest" and not ordered else "desc",
    )
    result = run_query(engines.store, spec)
    whole = None
    cut = result.truncated or (spec.top_k is not None and len(result.frame) >= spec.top_k)
    if not result.frame.empty and (args.metric in RATIO_METRICS or cut):
        # the groups' rows hold no figure for the whole scope: a ratio does not add up, cut rows are missing
        overall = run_query(engines.store, QuerySpec(metric=args.metric, filters=filters))
        whole = None if overall.frame.empty else overall.frame.iloc[0][args.metric]

    def summary(language: str = "en") -> str:
        said = result.summary(language)
        if whole is None:
            return said
        value = format_value(args.metric, whole, language)
        return f"{said.removesuffix('.')}{words(language)['overall'].format(value=value)}."

    output = ToolOutput.from_result("top_items", result, facts=_said(summary, session))
    output.summary = summary()
    if len(products) > 1:  # the filter lists ids: say what they are (in English only: no "said")
        names = ", ".join(name for _, name in products[:5]) + (" ..." if len(products) > 5 else "")
        output.summary += f" The {len(products)} products named like {args.product!r}: {names}."
        output.facts.pop(SAID, None)
    return output


def _said(summary: Callable[[str], str], session: Session) -> dict[str, str]:
    """The facts that carry a query's summary in the operator's language (SAID), for the answer the agent
    composes; none in English, which the summary already is."""
    language = session.language or "en"
    return {} if language == "en" or language not in LANGUAGES else {SAID: summary(language)}


def _named_products(engines: ShopEngines, product: str) -> list[tuple[str, str]]:
    """(id, name) of the products `product` names: one by id or name, or every product a kind names
    ("Headlamp"), as the forecaster reads them."""
    from tools.forecast.scope import resolve_products

    with engines.store.connect() as con:
        return [(pid, name or pid) for pid, name, _ in resolve_products(con, product)]


class ForecastDemandArgs(ToolArgs):
    category: Category | None = Field(None, description="Forecast this category.")
    product: Product | None = Field(None, description="Forecast this product (name or id).")
    place: AnyPlace = Field(None, description="Region, city or country; none = whole shop.")
    horizon_days: int = Field(28, ge=1, le=120, description="Days ahead.")


@shop_tool(
    description=(
        "Forecast daily units of a product, a category or the whole shop in a region, city or country, with "
        "80%/95% intervals and backtest accuracy."
    ),
    args=ForecastDemandArgs,
    roles=OPERATOR,
)
def forecast_demand(engines: ShopEngines, args: ForecastDemandArgs, session: Session) -> ToolOutput:
    """Daily units ahead for a product, category or the whole shop, in a place (a city's own sales) or
    everywhere."""
    from tools.forecast import ForecastResult
    from tools.forecast import forecast_demand as run_forecast
    from tools.forecast.errors import HorizonTooLong

    place = engines.resolve_place(args.place) if args.place else None
    city = place.name if place is not None and place.level == "city" else None
    region, country = _region_or_country(place) if city is None else (None, None)
    # "total units for the United States": the model wrote the place as the product too
    named_place = place is not None and args.product is not None and place in engines.store.profile().find(
        args.product, place.level)
    # the forecaster reads an id, a name or words several products' names share ("headlamps": summed)
    product = args.product if args.product and not named_place else None

    def forecast(horizon: int) -> ForecastResult:
        return run_forecast(engines.store, product=product, category=args.category, region=region,
                            country=country, city=city, horizon=horizon, model_set="fast")

    try:
        return ToolOutput.from_result("forecast_demand", forecast(args.horizon_days))
    except HorizonTooLong as short:  # the longest forecast the history allows, said so, beats none
        out = ToolOutput.from_result("forecast_demand", forecast(short.longest))
        note = (f"Asked for {args.horizon_days} days, but the history allows at most {short.longest}: "
                f"forecast for the next {short.longest} days instead. ")
        return replace(out, summary=note + out.summary)


class ReorderAdviceArgs(ToolArgs):
    product: Product = Field(description="Product name or id.")
    stock_on_hand: int = Field(ge=0, description="Units in stock now.")
    place: AnyPlace = Field(None, description="Region or country served from this stock; none = all.")
    lead_time_days: int = Field(7, ge=1, le=120, description="Days until a new delivery arrives.")
    service_level: float = Field(0.95, gt=0.5, lt=1.0, description="Chance of not running out.")


@shop_tool(
    description="Reorder point and quantity for a product given stock on hand and supplier lead time.",
    args=ReorderAdviceArgs,
    roles=OPERATOR,
)
def reorder_advice(engines: ShopEngines, args: ReorderAdviceArgs, session: Session) -> ToolOutput:
    """Reorder point and quantity from the forecast's quantiles over the lead time."""
    from tools.forecast import reorder_suggestion

    region, country = _region_or_country(engines.resolve_place(args.place) if args.place else None)
    product_id, _ = engines.resolve_product(args.product)
    advice = reorder_suggestion(
        engines.store, product_id, region, stock_on_hand=args.stock_on_hand,
        lead_time_days=args.lead_time_days, service_level=args.service_level, country=country,
        model_set="fast",
    )
    return ToolOutput.from_result("reorder_advice", advice)


class DetectAnomaliesArgs(ToolArgs):
    since: Since = Field("7d", description="How far back to look.")
    place: AnyPlace = Field(None, description="Only this region or country.")
    kind: Literal["all", "volume", "complaints"] = Field(
        "all", description="Volume spikes/outages, complaint waves, or both."
    )


@shop_tool(
    description="Unusual regional volume (surges, outages) and complaint waves in reviews.",
    args=DetectAnomaliesArgs,
    roles=OPERATOR,
)
def detect_anomalies(engines: ShopEngines, args: DetectAnomaliesArgs, session: Session) -> ToolOutput:
    """Regional volume surges/outages (of one region, or of every region of a country) and complaint waves in
    reviews."""
    from tools.anomaly import detect_complaint_waves, detect_volume_anomalies
    from tools.anomaly.errors import AnomalyInputError

    place = engines.resolve_place(args.place) if args.place else None
    region, country = _region_or_country(place)  # a country: every region of it is scanned
    parts: list[ToolOutput] = []
    if place is not None and place.level == "city":  # watched per region: say which one stands for it
        whole = region or next(p.name for p in engines.profile().at_level("country") if p.country == country)
        parts.append(ToolOutput("detect_anomalies", f"{place.name} is watched as part of {whole}:"))
    if args.kind in ("all", "volume"):
        volume = detect_volume_anomalies(engines.store, since=args.since, region=region, country=country)
        parts.append(ToolOutput.from_result("detect_anomalies", volume))
    if args.kind in ("all", "complaints"):
        since = "90d"  # a wave needs weeks of reviews to show, and a month-old one still matters: dated below
        try:
            waves = detect_complaint_waves(engines.store, engines.embedder, since=since,
                                           state_dir=engines.anomaly_dir)
            parts.append(ToolOutput.from_result("detect_anomalies", waves))
        except AnomalyInputError:
            if args.kind == "complaints":
                raise
            # "any anomalies?" on a shop without reviews: its volume anomalies, and why no complaint waves
            parts.append(ToolOutput("detect_anomalies", "The shop has no reviews, so no complaint waves."))
    frames = [p.frame for p in parts if p.frame is not None and not p.frame.empty]
    return ToolOutput(
        "detect_anomalies",
        " ".join(p.summary for p in parts),
        frame=frames[0] if len(frames) == 1 else (pd.concat(frames, ignore_index=True) if frames else None),
        chart=next((p.chart for p in parts if p.chart is not None), None),
    )


class DetectFraudArgs(ToolArgs):
    since: Since = Field("7d", description="How far back to look.")
    top_k: int = Field(10, ge=1, le=50, description="How many cases.")


@shop_tool(
    description=(
        "Suspicious orders and accounts (impossible travel, card testing, shared devices, far shipping), "
        "ranked with reasons."
    ),
    args=DetectFraudArgs,
    roles=OPERATOR,
)
def detect_fraud(engines: ShopEngines, args: DetectFraudArgs, session: Session) -> ToolOutput:
    """Ranked suspicious cases with their reasons in words."""
    from tools.anomaly import detect_fraud as run_fraud

    report = run_fraud(engines.store, since=args.since, state_dir=engines.anomaly_dir)
    frame = report.frame.head(args.top_k) if report.frame is not None else None
    return ToolOutput("detect_fraud", report.summary(), frame=frame, chart=report.chart())


class RecommendArgs(ToolArgs):
    user_id: str | None = Field(None, pattern=f"^{USER_ID}$",
                                description="Recommend for this customer, e.g. U000123.")
    product: Product | None = Field(None, description="Or: what sells together with this product.")
    place: AnyPlace = Field(None, description="Region or city context.")
    n: int = Field(5, ge=1, le=20, description="How many products.")


@shop_tool(
    description=(
        "Recommendations for a given customer, or what sells together with a product, optionally in a place."
    ),
    args=RecommendArgs,
    roles=OPERATOR,
)
def recommend(engines: ShopEngines, args: RecommendArgs, session: Session) -> ToolOutput:
    """Recommendations for a customer, or what sells together with a product (optionally in a place)."""
    recommender = engines.recommender
    place = engines.resolve_place(args.place) if args.place else None
    region, _ = _region_or_country(place) if place and place.level != "country" else (None, None)
    if args.product:
        product_id, _ = engines.resolve_product(args.product)
        result = recommender.bought_together(product_id, n=args.n, region=region)
    elif args.user_id:
        result = recommender.recommend_for_user(args.user_id, n=args.n, region=region)
    else:
        raise EngineInputError(
            "Say which customer (user_id, e.g. U000123) or which product (name or id) to recommend for."
        )
    return recommendation_output("recommend", result)
