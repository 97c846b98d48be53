"""Write the shipping lake: one table per file format the gateway reads."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq

from gateway.demo import lake_tables
from gateway.demo.ais import AisPosition
from gateway.demo.fleet import Vessel
from gateway.demo.ports import Port
from gateway.demo.shipping import Shipping
from gateway.demo.voyages import PortCall, Voyage

# Avro files end blocks with a 16 byte sync marker, random unless given: fix it for stable bytes.
AVRO_SYNC_MARKER = b"lakegate-demo-ai"

VESSELS_SCHEMA = pa.schema(
    [
        ("vessel_id", pa.int64()),
        ("imo_number", pa.string()),
        ("name", pa.string()),
        ("flag_country", pa.string()),
        ("vessel_type", pa.string()),
        ("gross_tonnage", pa.int32()),
        ("built_year", pa.int16()),
        ("operator", pa.string()),
    ]
)

PORT_CALLS_SCHEMA = pa.schema(
    [
        ("call_id", pa.int64()),
        ("voyage_id", pa.int64()),
        ("port_id", pa.string()),
        ("arrived_at", pa.timestamp("us")),
        ("departed_at", pa.timestamp("us")),
        ("berth", pa.string()),
    ]
)

AIS_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "AisPosition",
    "namespace": "lakegate.demo.shipping",
    "doc": lake_tables.AIS_POSITIONS.comment,
    "fields": [
        {"name": "vessel_id", "type": "long"},
        {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "latitude", "type": "double"},
        {"name": "longitude", "type": "double"},
        {"name": "speed_knots", "type": "double"},
        {"name": "course_degrees", "type": "double"},
        {"name": "nav_status", "type": "string"},
    ],
}


def _write_parquet(rows: list[dict[str, Any]], schema: pa.Schema, path: Path) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")


def write_vessels(vessels: Iterable[Vessel], path: Path) -> None:
    rows = [{name: getattr(v, name) for name in VESSELS_SCHEMA.names} for v in vessels]
    _write_parquet(rows, VESSELS_SCHEMA, path)


def write_ports(ports: Iterable[Port], path: Path) -> None:
    columns = list(lake_tables.PORTS.columns)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([getattr(p, name) for name in columns] for p in ports)


def _timestamp(value: Any) -> Any:
    return value.isoformat(sep=" ") if value is not None else None


def write_voyages(voyages: Iterable[Voyage], path: Path) -> None:
    columns = list(lake_tables.VOYAGES.columns)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for voyage in voyages:
            record = {name: getattr(voyage, name) for name in columns}
            record["departed_at"] = _timestamp(record["departed_at"])
            record["arrived_at"] = _timestamp(record["arrived_at"])
            out.write(json.dumps(record) + "\n")


def write_ais_positions(positions: Iterable[AisPosition], path: Path) -> None:
    names = [f["name"] for f in AIS_SCHEMA["fields"]]
    records = ({name: getattr(p, name) for name in names} for p in positions)
    with path.open("wb") as out:
        fastavro.writer(
            out, fastavro.parse_schema(AIS_SCHEMA), records, codec="deflate", sync_marker=AVRO_SYNC_MARKER
        )


def write_port_calls(calls: Iterable[PortCall], folder: Path) -> None:
    """One Parquet file per month of arrival; earlier demo files in the folder are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("port_calls_*.parquet"):
        old.unlink()
    ordered = sorted(calls, key=lambda c: c.call_id)
    for month, group in groupby(ordered, key=lambda c: c.arrived_at.strftime("%Y-%m")):
        rows = [{name: getattr(c, name) for name in PORT_CALLS_SCHEMA.names} for c in group]
        _write_parquet(rows, PORT_CALLS_SCHEMA, folder / f"port_calls_{month}.parquet")


def write_lake(shipping: Shipping, demo_dir: Path) -> list[Path]:
    """Write every lake table under ``demo_dir``; return their paths."""
    paths = {table.name: demo_dir / table.path for table in lake_tables.LAKE_TABLES}
    paths["vessels"].parent.mkdir(parents=True, exist_ok=True)
    write_vessels(shipping.vessels, paths["vessels"])
    write_ports(shipping.ports, paths["ports"])
    write_voyages(shipping.voyages, paths["voyages"])
    write_ais_positions(shipping.positions, paths["ais_positions"])
    write_port_calls(shipping.port_calls, paths["port_calls"])
    return list(paths.values())
