"""Voyages and port calls: each vessel sails its trade from history start to the snapshot."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.demo.clock import HISTORY_START, SNAPSHOT_AT
from gateway.demo.fleet import Vessel
from gateway.demo.geo import distance_nm
from gateway.demo.ports import Port

# Sea routes are longer than great circles (coasts, canals, traffic separation schemes).
ROUTE_FACTOR = 1.3
COMPLETED = "completed"
UNDER_WAY = "under way"
_QUICK_TURNAROUND = {"container ship", "ro-ro"}


@dataclass(frozen=True, slots=True)
class Voyage:
    voyage_id: int
    vessel_id: int
    origin_port: str
    destination_port: str
    departed_at: datetime
    arrived_at: datetime | None  # None while under way
    cargo_tonnes: float
    status: str
    # Not written out: what the AIS feed needs for voyages still under way.
    eta: datetime
    speed_knots: float


@dataclass(frozen=True, slots=True)
class PortCall:
    call_id: int
    voyage_id: int  # the voyage that arrived at the port
    port_id: str
    arrived_at: datetime
    departed_at: datetime | None  # None while the vessel is still alongside
    berth: str


def _minutes(hours: float) -> timedelta:
    return timedelta(minutes=round(hours * 60))


def _next_port(rng: random.Random, vessel: Vessel, here: Port) -> Port:
    """Mostly a long haul to another area of the trade, sometimes a hop within the area."""
    elsewhere = [p for p in vessel.trade_ports if p.area != here.area]
    nearby = [p for p in vessel.trade_ports if p.area == here.area and p != here]
    if elsewhere and (not nearby or rng.random() < 0.7):
        return rng.choice(elsewhere)
    return rng.choice(nearby)


def _port_stay(rng: random.Random, vessel: Vessel) -> timedelta:
    hours = rng.uniform(18, 60) if vessel.vessel_type in _QUICK_TURNAROUND else rng.uniform(36, 150)
    if rng.random() < 0.12:  # waiting for cargo, at anchor or in dry dock
        hours += rng.uniform(5 * 24, 30 * 24)
    return _minutes(hours)


def _sail(rng: random.Random, vessel: Vessel) -> list[Voyage]:
    """One vessel's voyages up to the snapshot, with voyage_id 0 until numbered."""
    voyages = []
    here = rng.choice(vessel.trade_ports)
    clock = HISTORY_START + _minutes(rng.uniform(0, 10 * 24))
    while clock < SNAPSHOT_AT:
        there = _next_port(rng, vessel, here)
        speed = round(vessel.service_speed_knots * rng.uniform(0.88, 1.03), 1)
        eta = clock + _minutes(distance_nm(here.position, there.position) * ROUTE_FACTOR / speed)
        arrived = eta <= SNAPSHOT_AT
        capacity = vessel.cargo_capacity_tonnes
        voyages.append(
            Voyage(
                voyage_id=0,
                vessel_id=vessel.vessel_id,
                origin_port=here.port_id,
                destination_port=there.port_id,
                departed_at=clock,
                arrived_at=eta if arrived else None,
                cargo_tonnes=round(capacity * rng.uniform(0.45, 0.97), 1),
                status=COMPLETED if arrived else UNDER_WAY,
                eta=eta,
                speed_knots=speed,
            )
        )
        here = there
        clock = eta + _port_stay(rng, vessel)
    return voyages


def build_voyages(rng: random.Random, fleet: list[Vessel]) -> list[Voyage]:
    """Every vessel's voyages, numbered 1.. in order of departure."""
    planned = [voyage for vessel in fleet for voyage in _sail(rng, vessel)]
    planned.sort(key=lambda v: (v.departed_at, v.vessel_id))
    return [dataclasses.replace(v, voyage_id=i) for i, v in enumerate(planned, start=1)]


def build_port_calls(rng: random.Random, voyages: list[Voyage]) -> list[PortCall]:
    """A call at the destination of every completed voyage, until the vessel sails again."""
    next_departure: dict[int, datetime | None] = {}
    calls = []
    for voyage in sorted(voyages, key=lambda v: (v.vessel_id, v.departed_at), reverse=True):
        if voyage.arrived_at is not None:
            berth = f"{rng.choice('ABCDEFGHK')}{rng.randint(1, 24):02d}"
            departed = next_departure.get(voyage.vessel_id)
            calls.append(
                PortCall(0, voyage.voyage_id, voyage.destination_port, voyage.arrived_at, departed, berth)
            )
        next_departure[voyage.vessel_id] = voyage.departed_at
    calls.sort(key=lambda c: (c.arrived_at, c.port_id, c.voyage_id))
    return [dataclasses.replace(c, call_id=i) for i, c in enumerate(calls, start=1)]
