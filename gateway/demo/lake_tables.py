"""What each shipping lake table is: its file, format, description and column comments."""

from __future__ import annotations

from dataclasses import dataclass, field

LAKE_SCHEMA = "shipping"
LAKE_DIR = "lake/shipping"


@dataclass(frozen=True, slots=True)
class LakeTable:
    name: str
    path: str  # relative to the demo folder, with forward slashes
    format: str
    comment: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> comment, in file order


VESSELS = LakeTable(
    "vessels",
    f"{LAKE_DIR}/vessels.parquet",
    "parquet",
    "The fleet: every vessel the company operates or charters, one row per ship.",
    {
        "vessel_id": "Internal vessel identifier; contracts, voyages and AIS positions refer to it",
        "imo_number": "IMO ship identification number (7 digits, the last is a check digit)",
        "name": "Vessel name as registered",
        "flag_country": "Flag state, ISO 3166-1 alpha-2 country code",
        "vessel_type": "Kind of ship: container ship, bulk carrier, oil tanker, LNG carrier, ro-ro "
        "or general cargo",
        "gross_tonnage": "Gross tonnage (GT), the ship's internal volume",
        "built_year": "Year the ship was delivered by the yard",
        "operator": "Company that operates the vessel commercially",
    },
)

PORTS = LakeTable(
    "ports",
    f"{LAKE_DIR}/ports.csv",
    "csv",
    "Seaports the fleet calls at, keyed by UN/LOCODE.",
    {
        "port_id": "UN/LOCODE of the port, e.g. NLRTM for Rotterdam",
        "name": "Port name",
        "country": "ISO 3166-1 alpha-2 country code",
        "latitude": "Latitude of the port in decimal degrees (WGS 84)",
        "longitude": "Longitude of the port in decimal degrees (WGS 84)",
        "timezone": "IANA time zone of the port, e.g. Europe/Amsterdam",
    },
)

VOYAGES = LakeTable(
    "voyages",
    f"{LAKE_DIR}/voyages.json",
    "json",
    "Voyages from one port to the next, with cargo carried; newline-delimited JSON.",
    {
        "voyage_id": "Voyage identifier, numbered in order of departure",
        "vessel_id": "Vessel that sailed (vessels.vessel_id)",
        "origin_port": "Port of departure (ports.port_id)",
        "destination_port": "Port of arrival (ports.port_id)",
        "departed_at": "Departure time, UTC",
        "arrived_at": "Arrival time, UTC; null while the voyage is under way",
        "cargo_tonnes": "Cargo carried, metric tonnes",
        "status": "completed or under way",
    },
)

AIS_POSITIONS = LakeTable(
    "ais_positions",
    f"{LAKE_DIR}/ais_positions.avro",
    "avro",
    "AIS position reports of the fleet, about one per vessel per hour, for the last five weeks.",
    {
        "vessel_id": "Reporting vessel (vessels.vessel_id)",
        "event_time": "Time of the position report, UTC",
        "latitude": "Reported latitude in decimal degrees (WGS 84)",
        "longitude": "Reported longitude in decimal degrees (WGS 84)",
        "speed_knots": "Speed over ground, knots",
        "course_degrees": "Course over ground, degrees clockwise from true north",
        "nav_status": "AIS navigational status: under way using engine, at anchor or moored",
    },
)

PORT_CALLS = LakeTable(
    "port_calls",
    f"{LAKE_DIR}/port_calls",
    "parquet",
    "Port calls at the end of each voyage: a folder of monthly Parquet files read as one table.",
    {
        "call_id": "Port call identifier, numbered in order of arrival",
        "voyage_id": "Voyage that ended with this call (voyages.voyage_id)",
        "port_id": "Port called at (ports.port_id)",
        "arrived_at": "Arrival at the port, UTC",
        "departed_at": "Departure from the port, UTC; null while the vessel is still in port",
        "berth": "Berth or quay the vessel was assigned",
    },
)

LAKE_TABLES: tuple[LakeTable, ...] = (VESSELS, PORTS, VOYAGES, AIS_POSITIONS, PORT_CALLS)
