"""Distances and place names for fraud reasons ("1,240 km apart (Paris -> Madrid)")."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from tools.events.regions import all_regions

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km; broadcasts over arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points (scalar, for the real-time path)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


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
