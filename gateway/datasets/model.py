"""What a derived dataset is: a view (stored SQL, expanded at query time) or a materialised table
(the result of its SQL, kept as Parquet and refreshed on demand or on a schedule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auth.identity import Identity


class Kind(StrEnum):
    VIEW = "VIEW"
    TABLE = "TABLE"


class Security(StrEnum):
    """Whose rights read a view's sources (Trino's ``SECURITY DEFINER | INVOKER``).

    DEFINER (the default, as in Trino): the owner's grants, row filters and masks apply to the
    sources; readers need ``select`` on the view, and the view's own policies govern them.
    INVOKER: the reader's own grants, filters and masks apply to the sources, and ``select`` on
    the view is needed too. A materialised table is always written with its owner's rights."""

    DEFINER = "DEFINER"
    INVOKER = "INVOKER"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # Trino's type name


@dataclass(frozen=True, slots=True)
class Dataset:
    catalog: str
    schema: str
    name: str
    kind: Kind
    sql: str  # the defining query, as written (Trino dialect)
    owner: str
    owner_groups: tuple[str, ...]
    security: Security = Security.DEFINER
    #: the session catalog and schema the SQL was written in (its unqualified names resolve there)
    session_catalog: str | None = None
    session_schema: str | None = None
    comment: str | None = None
    column_comments: dict[str, str] = field(default_factory=dict)
    columns: tuple[Column, ...] = ()
    #: materialised tables: the current Parquet version (0: none yet), its file name and facts
    version: int = 0
    data_file: str | None = None
    row_count: int | None = None
    size_bytes: int | None = None
    duration_ms: float | None = None
    refreshed_at: float | None = None
    last_error: str | None = None
    #: materialised tables: refresh this often (None: on demand only)
    refresh_seconds: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.catalog.lower(), self.schema.lower(), self.name.lower())

    @property
    def qualified(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"

    @property
    def owner_identity(self) -> Identity:
        return Identity(self.owner, self.owner_groups)
