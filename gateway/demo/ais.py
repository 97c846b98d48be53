"""The AIS position feed: where each vessel was, reported about hourly before the snapshot."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.demo.clock import AIS_WINDOW, SNAPSHOT_AT
from gateway.demo.fleet import Vessel
from gateway.demo.geo import LatLon, bearing, interpolate
from gateway.demo.ports import PORTS_BY_ID
from gateway.demo.voyages import Voyage

UNDER_WAY_USING_ENGINE = "under way using engine"
AT_ANCHOR = "at anchor"
MOORED = "moored"
_MANOEUVRING = timedelta(hours=2)
_ANCHORAGE = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class AisPosition:
    vessel_id: int
    event_time: datetime
    latitude: float
    longitude: float
    speed_knots: float
    course_degrees: float
    nav_status: str


def _wrap_longitude(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _at_sea(rng: random.Random, voyage: Voyage, when: datetime) -> AisPosition:
    origin = PORTS_BY_ID[voyage.origin_port].position
    destination = PORTS_BY_ID[voyage.destination_port].position
    fraction = (when - voyage.departed_at) / (voyage.eta - voyage.departed_at)
    lat, lon = interpolate(origin, destination, fraction)
    here: LatLon = (lat + rng.gauss(0, 0.02), _wrap_longitude(lon + rng.gauss(0, 0.02)))
    speed = voyage.speed_knots + rng.gauss(0, 0.4)
    if when - voyage.departed_at < _MANOEUVRING or voyage.eta - when < _MANOEUVRING:
        speed *= 0.5
    course = (bearing(here, destination) + rng.gauss(0, 2.0)) % 360.0
    return _position(voyage.vessel_id, when, here, max(speed, 0.0), course, UNDER_WAY_USING_ENGINE)


def _in_port(
    rng: random.Random, vessel_id: int, port_id: str, since: datetime, when: datetime
) -> AisPosition:
    lat, lon = PORTS_BY_ID[port_id].position
    here = (lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01))
    status = AT_ANCHOR if when - since < _ANCHORAGE else MOORED
    return _position(vessel_id, when, here, rng.uniform(0.0, 0.3), rng.uniform(0.0, 360.0), status)


def _position(
    vessel_id: int, when: datetime, here: LatLon, speed: float, course: float, status: str
) -> AisPosition:
    return AisPosition(
        vessel_id=vessel_id,
        event_time=when,
        latitude=round(here[0], 5),
        longitude=round(here[1], 5),
        speed_knots=round(speed, 1),
        course_degrees=round(course, 1) % 360.0,
        nav_status=status,
    )


def _track(rng: random.Random, vessel_id: int, voyages: list[Voyage]) -> list[AisPosition]:
    departures = [v.departed_at for v in voyages]
    positions = []
    when = SNAPSHOT_AT - AIS_WINDOW + timedelta(seconds=rng.randint(0, 3600))
    while when <= SNAPSHOT_AT:
        index = bisect.bisect_right(departures, when) - 1
        if index < 0:
            first = voyages[0]
            positions.append(_in_port(rng, vessel_id, first.origin_port, first.departed_at, when))
        elif when < voyages[index].eta:
            positions.append(_at_sea(rng, voyages[index], when))
        else:
            last = voyages[index]
            positions.append(_in_port(rng, vessel_id, last.destination_port, last.eta, when))
        when += timedelta(seconds=rng.randint(40 * 60, 80 * 60))
    return positions


def build_positions(rng: random.Random, fleet: list[Vessel], voyages: list[Voyage]) -> list[AisPosition]:
    """About one report an hour per vessel over the AIS window, ordered by event time."""
    by_vessel: dict[int, list[Voyage]] = {vessel.vessel_id: [] for vessel in fleet}
    for voyage in sorted(voyages, key=lambda v: v.departed_at):
        by_vessel[voyage.vessel_id].append(voyage)
    positions = [p for vessel_id, own in by_vessel.items() if own for p in _track(rng, vessel_id, own)]
    positions.sort(key=lambda p: (p.event_time, p.vessel_id))
    return positions
