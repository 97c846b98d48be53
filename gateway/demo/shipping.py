"""The whole shipping world of the demo, built from fixed seeds."""

from __future__ import annotations

import random
from dataclasses import dataclass

from gateway.demo.ais import AisPosition, build_positions
from gateway.demo.fleet import Vessel, build_fleet
from gateway.demo.ports import PORTS, Port
from gateway.demo.voyages import PortCall, Voyage, build_port_calls, build_voyages

SEED = 20250630


@dataclass(frozen=True, slots=True)
class Shipping:
    ports: tuple[Port, ...]
    vessels: list[Vessel]
    voyages: list[Voyage]
    port_calls: list[PortCall]
    positions: list[AisPosition]


def build_shipping(seed: int = SEED) -> Shipping:
    """Fleet, voyages, port calls and AIS feed; each part has its own random stream."""
    vessels = build_fleet(random.Random(seed))
    voyages = build_voyages(random.Random(seed + 1), vessels)
    port_calls = build_port_calls(random.Random(seed + 2), voyages)
    positions = build_positions(random.Random(seed + 3), vessels, voyages)
    return Shipping(PORTS, vessels, voyages, port_calls, positions)
