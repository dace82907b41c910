"""Place names for fraud reasons ("1,240 km apart (Paris -> Madrid)")."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from tools.events.geo import haversine_km
from tools.events.regions import all_regions


@lru_cache(maxsize=1)
def _cities() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    cities = [c for region in all_regions() for c in region.cities]
    return (
        np.array([c.lat for c in cities]),
        np.array([c.lon for c in cities]),
        tuple(c.name for c in cities),
    )


def nearest_city(lat: float | None, lon: float | None) -> str:
    """Name of the registry city nearest to a point ("?" when the point is unknown)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return "?"
    lats, lons, names = _cities()
    return names[int(np.argmin(haversine_km(lat, lon, lats, lons)))]
