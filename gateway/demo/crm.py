"""The CRM as a SQLite database: customers (with personal data), contracts and support tickets."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from gateway.demo.clock import SNAPSHOT_AT
from gateway.demo.people import PeopleFactory
from gateway.demo.ports import Port

SEED = 5_300_001
REGION_WEIGHTS = (("EMEA", 45), ("APAC", 35), ("AMER", 20))
SEGMENTS = (("Enterprise", 15), ("Mid-market", 30), ("Small business", 35), ("Freight forwarder", 20))
_FIRST_CUSTOMER = date(2015, 1, 1)
_FIRST_CONTRACT = date(2019, 1, 1)
_FIRST_TICKET = datetime(2023, 1, 1)
_SUBJECTS = (
    "Delayed arrival at {port}",
    "Demurrage charges at {port} disputed",
    "Cargo damage claim after discharge at {port}",
    "Request copy of bill of lading",
    "Invoice does not match the contract value",
    "Container tracking not updating",
    "Change of consignee",
    "Update billing address",
    "Booking amendment: new loading date",
    "Request for data export of my personal data",
    "Please delete my personal data",
    "Reefer temperature alarm during voyage",
)

SCHEMA = """
CREATE TABLE customers (
    customer_id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL,
    national_id TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL CHECK (region IN ('EMEA', 'AMER', 'APAC')),
    country TEXT NOT NULL,
    created_at TEXT NOT NULL,
    segment TEXT NOT NULL
);
CREATE TABLE contracts (
    contract_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    vessel_id INTEGER NOT NULL,
    signed_on TEXT NOT NULL,
    value_eur NUMERIC(14, 2) NOT NULL
);
CREATE TABLE support_tickets (
    ticket_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    region TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX contracts_customer ON contracts (customer_id);
CREATE INDEX support_tickets_customer ON support_tickets (customer_id);
"""


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: int
    full_name: str
    email: str
    phone: str
    national_id: str
    region: str
    country: str
    created_at: str
    segment: str


@dataclass(frozen=True, slots=True)
class Contract:
    contract_id: int
    customer_id: int
    vessel_id: int
    signed_on: str
    value_eur: float


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: int
    customer_id: int
    region: str
    opened_at: str
    subject: str
    status: str


def _pick(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def build_customers(rng: random.Random, count: int = 500) -> list[Customer]:
    factory = PeopleFactory(rng)
    customers = []
    for customer_id in range(1, count + 1):
        person = factory.person(_pick(rng, REGION_WEIGHTS))
        created = _day_between(rng, _FIRST_CUSTOMER, SNAPSHOT_AT.date() - timedelta(days=30))
        customers.append(
            Customer(
                customer_id,
                person.full_name,
                person.email,
                person.phone,
                person.national_id,
                person.region,
                person.country,
                created.isoformat(),
                _pick(rng, SEGMENTS),
            )
        )
    return customers


def build_contracts(
    rng: random.Random, customers: Sequence[Customer], vessel_ids: Sequence[int], count: int = 1200
) -> list[Contract]:
    """Charters of the fleet's vessels, each signed after the customer joined."""
    drafts = []
    for _ in range(count):
        customer = rng.choice(customers)
        first = max(date.fromisoformat(customer.created_at), _FIRST_CONTRACT)
        signed = _day_between(rng, first, SNAPSHOT_AT.date())
        value = round(rng.lognormvariate(12.0, 0.9), 2)
        drafts.append((signed.isoformat(), customer.customer_id, rng.choice(vessel_ids), value))
    drafts.sort()
    return [Contract(i, cid, vid, signed, value) for i, (signed, cid, vid, value) in enumerate(drafts, 1)]


def build_tickets(
    rng: random.Random, customers: Sequence[Customer], ports: Sequence[Port], count: int = 1500
) -> list[Ticket]:
    """Support tickets opened after the customer joined; old ones are closed."""
    drafts = []
    for _ in range(count):
        customer = rng.choice(customers)
        first = max(datetime.fromisoformat(customer.created_at), _FIRST_TICKET)
        opened = first + timedelta(seconds=rng.randint(0, int((SNAPSHOT_AT - first).total_seconds())))
        subject = rng.choice(_SUBJECTS).format(port=rng.choice(ports).name)
        if SNAPSHOT_AT - opened > timedelta(days=30):
            status = rng.choices(("closed", "resolved"), weights=(8, 2))[0]
        else:
            status = rng.choice(("open", "pending", "resolved"))
        drafts.append((opened.isoformat(sep=" "), customer.customer_id, customer.region, subject, status))
    drafts.sort()
    return [
        Ticket(i, cid, region, opened, subject, status)
        for i, (opened, cid, region, subject, status) in enumerate(drafts, 1)
    ]


def write_crm(path: Path, vessel_ids: Sequence[int], ports: Sequence[Port], seed: int = SEED) -> Path:
    """Write the CRM database at ``path``, replacing any earlier one."""
    customers = build_customers(random.Random(seed))
    contracts = build_contracts(random.Random(seed + 1), customers, vessel_ids)
    tickets = build_tickets(random.Random(seed + 2), customers, ports)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".tmp")
    staging.unlink(missing_ok=True)
    con = sqlite3.connect(staging)
    try:
        con.executescript(SCHEMA)
        with con:
            con.executemany(
                "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", map(astuple, customers)
            )
            con.executemany("INSERT INTO contracts VALUES (?, ?, ?, ?, ?)", map(astuple, contracts))
            con.executemany("INSERT INTO support_tickets VALUES (?, ?, ?, ?, ?, ?)", map(astuple, tickets))
    finally:
        con.close()
    os.replace(staging, path)
    return path
