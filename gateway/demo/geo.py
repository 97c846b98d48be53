"""Great-circle geometry on a spherical Earth, in degrees and nautical miles."""

from __future__ import annotations

import math

LatLon = tuple[float, float]

EARTH_RADIUS_NM = 3440.065


def _unit_vector(point: LatLon) -> tuple[float, float, float]:
    lat, lon = math.radians(point[0]), math.radians(point[1])
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def _central_angle(a: LatLon, b: LatLon) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlat, dlon = lat2 - lat1, math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * math.asin(min(1.0, math.sqrt(h)))


def distance_nm(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two points."""
    return EARTH_RADIUS_NM * _central_angle(a, b)


def interpolate(a: LatLon, b: LatLon, fraction: float) -> LatLon:
    """The point ``fraction`` of the way from a to b along the great circle."""
    omega = _central_angle(a, b)
    if omega < 1e-12:
        return a
    wa = math.sin((1 - fraction) * omega) / math.sin(omega)
    wb = math.sin(fraction * omega) / math.sin(omega)
    va, vb = _unit_vector(a), _unit_vector(b)
    x, y, z = (wa * p + wb * q for p, q in zip(va, vb, strict=True))
    return (math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))


def bearing(a: LatLon, b: LatLon) -> float:
    """Initial course from a towards b, in degrees clockwise from north, in [0, 360)."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlon = math.radians(b[1] - a[1])
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360.0
