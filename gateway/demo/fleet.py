"""The demo company's fleet: vessels with valid IMO numbers, flags, sizes and trades."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from gateway.demo.ports import PORTS, Port


@dataclass(frozen=True, slots=True)
class VesselType:
    name: str
    tonnage: tuple[int, int]  # gross tonnage range
    speed: tuple[float, float]  # service speed range, knots
    deadweight_per_gt: float  # tonnes of cargo capacity per gross ton
    trades: tuple[tuple[str, ...], ...]  # each trade is the set of areas it serves
    weight: int  # how common the type is in the fleet


VESSEL_TYPES: tuple[VesselType, ...] = (
    VesselType(
        "container ship",
        (9_000, 220_000),
        (16.0, 21.0),
        1.1,
        (
            ("northeast_asia", "southeast_asia", "north_europe"),
            ("northeast_asia", "southeast_asia", "mediterranean"),
            ("northeast_asia", "north_america_west"),
            ("north_europe", "north_america_east"),
            ("northeast_asia", "southeast_asia"),
        ),
        22,
    ),
    VesselType(
        "bulk carrier",
        (20_000, 110_000),
        (11.0, 14.0),
        1.8,
        (
            ("oceania", "northeast_asia"),
            ("latin_america", "northeast_asia"),
            ("latin_america", "north_europe"),
        ),
        12,
    ),
    VesselType(
        "oil tanker",
        (25_000, 160_000),
        (12.0, 15.0),
        1.9,
        (
            ("middle_east", "northeast_asia", "southeast_asia"),
            ("middle_east", "mediterranean", "north_europe"),
            ("north_america_east", "north_europe"),
        ),
        10,
    ),
    VesselType(
        "LNG carrier",
        (90_000, 120_000),
        (17.0, 19.5),
        0.75,
        (("middle_east", "northeast_asia"), ("north_america_east", "north_europe")),
        4,
    ),
    VesselType(
        "ro-ro",
        (20_000, 75_000),
        (15.0, 19.0),
        0.35,
        (("north_europe", "mediterranean"), ("northeast_asia", "north_europe", "north_america_east")),
        6,
    ),
    VesselType(
        "general cargo",
        (3_000, 20_000),
        (11.0, 14.0),
        1.5,
        (("africa", "north_europe", "mediterranean"), ("north_europe", "mediterranean")),
        6,
    ),
)

VESSEL_TYPES_BY_NAME: dict[str, VesselType] = {t.name: t for t in VESSEL_TYPES}

# Fictional operators; the demo company runs most of the fleet itself.
OPERATORS: tuple[tuple[str, int], ...] = (
    ("Lakegate Maritime", 10),
    ("Blue Meridian Lines", 3),
    ("Northwind Carriers", 3),
    ("Coral Bay Shipping", 2),
    ("Helios Bulk", 2),
    ("Atlas Tankers", 2),
)

# Flag states (ISO 3166-1 alpha-2), weighted like the world fleet's open registries.
FLAGS: tuple[tuple[str, int], ...] = (
    ("PA", 8),
    ("LR", 8),
    ("MH", 6),
    ("MT", 4),
    ("BS", 3),
    ("SG", 4),
    ("HK", 3),
    ("GR", 2),
    ("NO", 2),
    ("NL", 2),
    ("DK", 2),
    ("CY", 2),
)

# fmt: off
_NAME_FIRST = (
    "Nordic", "Atlantic", "Pacific", "Baltic", "Coral", "Silver", "Golden", "Ocean", "Northern",
    "Southern", "Polar", "Azure", "Emerald", "Crimson", "Amber", "Celestial", "Iron", "Swift",
)
_NAME_SECOND = (
    "Star", "Pioneer", "Spirit", "Horizon", "Voyager", "Trader", "Explorer", "Breeze", "Harmony",
    "Endeavour", "Dawn", "Falcon", "Meridian", "Venture", "Crown", "Tide", "Glory", "Albatross",
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Vessel:
    vessel_id: int
    imo_number: str
    name: str
    flag_country: str
    vessel_type: str
    gross_tonnage: int
    built_year: int
    operator: str
    # Not written out: what the voyage planner needs.
    service_speed_knots: float
    trade_ports: tuple[Port, ...]

    @property
    def cargo_capacity_tonnes(self) -> float:
        return self.gross_tonnage * VESSEL_TYPES_BY_NAME[self.vessel_type].deadweight_per_gt


def imo_check_digit(six_digits: str) -> int:
    """The seventh digit of an IMO number: the weighted sum 7..2 of the first six, modulo 10."""
    return sum(int(d) * w for d, w in zip(six_digits, range(7, 1, -1), strict=True)) % 10


def _imo_number(rng: random.Random, taken: set[str]) -> str:
    while True:
        head = str(rng.randint(920_000, 989_999))  # ships built since the 1990s start with 9
        number = head + str(imo_check_digit(head))
        if number not in taken:
            taken.add(number)
            return number


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def build_fleet(rng: random.Random, size: int = 60) -> list[Vessel]:
    """``size`` vessels with unique names and IMO numbers, ids 1..size."""
    names = [f"{a} {b}" for a, b in itertools.product(_NAME_FIRST, _NAME_SECOND)]
    chosen_names = rng.sample(names, size)
    types = rng.choices(VESSEL_TYPES, weights=[t.weight for t in VESSEL_TYPES], k=size)
    taken: set[str] = set()
    fleet = []
    for vessel_id, (name, vtype) in enumerate(zip(chosen_names, types, strict=True), start=1):
        areas = rng.choice(vtype.trades)
        fleet.append(
            Vessel(
                vessel_id=vessel_id,
                imo_number=_imo_number(rng, taken),
                name=name,
                flag_country=_weighted(rng, FLAGS),
                vessel_type=vtype.name,
                gross_tonnage=round(rng.randint(*vtype.tonnage), -2),
                built_year=rng.randint(1999, 2024),
                operator=_weighted(rng, OPERATORS),
                service_speed_knots=round(rng.uniform(*vtype.speed), 1),
                trade_ports=tuple(p for p in PORTS if p.area in areas),
            )
        )
    return fleet
