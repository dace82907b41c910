"""The shop tools' flat arguments: place resolution and the 'everywhere' reading."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tools.agent_tools.engines import resolve_place
from tools.agent_tools.operator import FindSpikesArgs, ForecastDemandArgs, TopItemsArgs


def test_places_resolve_to_city_region_or_country() -> None:
    assert (resolve_place("lyon").level, resolve_place("lyon").value) == ("city", "Lyon")
    assert (resolve_place("Bavaria").level, resolve_place("DE-BY").value) == ("region", "Bavaria")
    assert (resolve_place("Germany").level, resolve_place("de").value) == ("country", "DE")


def test_everywhere_means_no_place_and_unknown_places_list_valid_ones() -> None:
    assert ForecastDemandArgs(place="all").place is None
    assert TopItemsArgs(place="everywhere").place is None
    with pytest.raises(ValidationError, match="Valid regions: Ile-de-France"):
        TopItemsArgs(place="last_30_days")


def test_every_spike_metric_the_tool_offers_is_one_the_engine_can_test() -> None:
    from typing import get_args

    from tools.query.spec import COUNT_METRICS

    offered = get_args(FindSpikesArgs.model_fields["metric"].annotation)
    assert offered and set(offered) <= set(COUNT_METRICS)
