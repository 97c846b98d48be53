"""What a generated attack is, and what it reads: the facts the attack oracles judge by.

The demo CRM's tables and who may read what (:data:`READABLE`), the objects outside the catalogs
an attack may name (engine tables, the demo's files), and the records the strategies of
:mod:`tests.security.shapes` build: a relation's columns with the table column each one copies
(:class:`Col`), and what a query reads (:class:`Facts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CATALOGS = ("crm", "crm_lake")
TABLES: dict[str, tuple[str, ...]] = {
    "customers": (
        "customer_id",
        "full_name",
        "email",
        "phone",
        "national_id",
        "region",
        "country",
        "created_at",
        "segment",
    ),
    "contracts": ("contract_id", "customer_id", "vessel_id", "signed_on", "value_eur"),
    "support_tickets": ("ticket_id", "customer_id", "region", "opened_at", "subject", "status"),
}
#: what each user may read, table -> columns, as gateway/demo/policies.py says (a table not listed is hidden)
READABLE: dict[str, dict[str, frozenset[str]]] = {
    "eve": {},
    "sam": {
        "customers": frozenset(TABLES["customers"]) - {"national_id"},
        "support_tickets": frozenset(TABLES["support_tickets"]),
    },
    "ada": {"customers": frozenset(TABLES["customers"]), "contracts": frozenset(TABLES["contracts"])},
}
ENGINE_OBJECTS = (
    "duckdb_tables",
    "duckdb_columns",
    "duckdb_settings",
    "duckdb_views",
    "duckdb_databases",
    "information_schema.tables",
    "information_schema.columns",
    "pg_catalog.pg_tables",
    "sqlite_master",
    "lg_crm.main.customers",
    "lg_crm_lake.main.customers",
    "lg_crm.main.contracts",
)
DEMO_FILES = (
    "policies.json",
    "users.yaml",
    "lakegate.yaml",
    "crm_customers.parquet",
    "crm/crm.sqlite",
    "tpch/tiny/customer.parquet",
    "crm_contracts.parquet",
    "lake/shipping/vessels.parquet",
)
CONFIG_FILES = DEMO_FILES[:3]
DATA_FILES = DEMO_FILES[3:]
ALIASES = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "x", "y", "z")
USERS = ("eve", "sam", "ada")


@dataclass(frozen=True, slots=True)
class Col:
    name: str  # as the query sees it
    origin: str | None  # "table.column" when its values are a column's values, else None


@dataclass(frozen=True, slots=True)
class Facts:
    tables: frozenset[str] = frozenset()  # logical tables read
    reads: frozenset[str] = frozenset()  # "table.column" whose values the query uses
    outside: frozenset[str] = frozenset()  # objects outside the catalogs it names

    def __or__(self, other: Facts) -> Facts:
        return Facts(self.tables | other.tables, self.reads | other.reads, self.outside | other.outside)


@dataclass(frozen=True, slots=True)
class Rel:
    """A relation usable in FROM: its SQL, its columns (None: unknown, outside) and facts."""

    sql: str
    cols: tuple[Col, ...] | None
    facts: Facts
    table: str | None = None  # the logical table, when the relation is one


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    cols: tuple[Col, ...] | None
    facts: Facts


@dataclass(frozen=True)
class Attack:
    family: str
    user: str
    sql: str
    dialect: str  # "trino" or "duckdb": the native API's dialect field
    facts: Facts
    outputs: tuple[str | None, ...] | None  # the origin of each output column, when known
    catalog: str | None = None
    schema: str | None = None
    duckdb_only: bool = False  # syntax the Trino door cannot be expected to read the same way
    expect_rows: tuple[tuple[object, ...], ...] | None = None  # a probe's only correct answer
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        session = f" (session {self.catalog}.{self.schema})" if self.catalog else ""
        return f"[{self.family}] user={self.user} dialect={self.dialect}{session}: {self.sql}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def like_matches(pattern: str, name: str) -> bool:
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, name, re.S) is not None


@dataclass(frozen=True, slots=True)
class Env:
    """Where the attack runs: the demo folder (absolute paths) and the server's working folder."""

    demo_dir: Path
    cwd: Path

    def paths(self, names: tuple[str, ...] = DEMO_FILES) -> tuple[str, ...]:
        """Each file by its demo-relative name, its absolute path and its path from the working folder."""
        out: list[str] = []
        for name in names:
            absolute = self.demo_dir / name
            out += [name, str(absolute)]
            try:
                out.append(str(absolute.relative_to(self.cwd)))
            except ValueError:
                out.append("../" * len(self.cwd.parts[1:]) + str(absolute).lstrip("/"))
        return tuple(out)
