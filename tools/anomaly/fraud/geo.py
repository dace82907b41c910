"""Place names for fraud reasons ("1,240 km apart (Paris -> Madrid)")."""

from __future__ import annotations

import math

import numpy as np

from tools.events.geo import haversine_km
from tools.events.profile import ShopProfile


def nearest_city(profile: ShopProfile, lat: float | None, lon: float | None) -> str:
    """Name of the profile's city (else region) nearest to a point ("?" when the point or the places are
    unknown)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return "?"
    lats, lons, names = _points(profile)
    if not names:
        return "?"
    return names[int(np.argmin(haversine_km(lat, lon, lats, lons)))]


def _points(profile: ShopProfile) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    places = [p for p in profile.at_level("city") if p.lat is not None and p.lon is not None]
    if not places:
        places = [p for p in profile.at_level("region") if p.lat is not None and p.lon is not None]
    return np.array([p.lat for p in places]), np.array([p.lon for p in places]), tuple(p.name for p in places)
