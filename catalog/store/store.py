"""The catalog store: what harvests found (kept apart from what stewards said), and its history.

Harvested entities are synced per *unit* (one logical catalog, plus the instance's own source
entity): a unit whose fingerprint did not change costs one read; otherwise only the entities
whose fingerprint changed are written, and those no longer found are marked ``deleted`` (kept,
so their curation comes back if they do). Curation, classifications, glossary terms and lineage
are keyed by guid and never touched by a harvest. Every write bumps one version number in the
same transaction, so every gateway sharing the store can tell when anything changed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from catalog.model import (
    Classification,
    Curation,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    LineageEdge,
    ResourcePath,
)
from catalog.store.backends import Backend, PostgresBackend, SqliteBackend, StoreError, migrate
from catalog.store.migrations import MIGRATIONS

__all__ = ["CatalogStore", "HarvestRun", "StoreError", "StoredEntity", "SyncCounts"]

ACTIVE: Final = "active"
DELETED: Final = "deleted"


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "leave this field as it is" in :meth:`CatalogStore.update_curation`
UNSET: Final = _Unset()

_ENTITY_COLUMNS = (
    "guid",
    "type",
    "qualified_name",
    "name",
    "source",
    "unit",
    "catalog_name",
    "schema_name",
    "table_name",
    "column_name",
    "parent_guid",
    "comment",
    "data_type",
    "position",
    "nullable",
    "storage_format",
    "location",
    "row_count",
    "size_bytes",
    "view_sql",
    "created_at",
    "fingerprint",
    "status",
    "first_seen",
    "updated_at",
)
_UPSERT_ENTITY = (
    f"INSERT INTO catalog_entities ({', '.join(_ENTITY_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_ENTITY_COLUMNS))}) ON CONFLICT (guid) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _ENTITY_COLUMNS if c not in ("guid", "first_seen"))
)
_BUMP = "UPDATE catalog_version SET version = version + 1 WHERE id = 1"


@dataclass(frozen=True, slots=True)
class SyncCounts:
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def writes(self) -> int:
        return self.added + self.changed + self.removed


@dataclass(frozen=True, slots=True)
class StoredEntity:
    guid: str  # the harvested entity's (kept: computing it is a uuid5)
    harvested: HarvestedEntity
    status: str
    first_seen: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class HarvestRun:
    """One unit's harvest by one gateway instance: ``ok``, ``partial`` or ``failed``."""

    unit: str
    instance: str
    started_at: float
    duration_ms: float
    status: str
    message: str | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class Process:
    guid: str
    name: str
    sql: str | None
    created_by: str | None
    created_at: float


class CatalogStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.schema_version = migrate(backend, MIGRATIONS)

    @classmethod
    def sqlite(cls, path: str | Path) -> CatalogStore:
        return cls(SqliteBackend(path))

    @classmethod
    def postgres(cls, dsn: str, *, schema: str = "lakegate_catalog") -> CatalogStore:
        return cls(PostgresBackend(dsn, schema=schema))

    def __repr__(self) -> str:
        return f"CatalogStore({self.backend!r})"

    def close(self) -> None:
        self.backend.close()

    # -- versions ------------------------------------------------------------------------------
    def version(self) -> int:
        with self.backend.transaction() as tx:
            return int(tx.execute("SELECT version FROM catalog_version WHERE id = 1")[0][0])

    # -- harvested entities --------------------------------------------------------------------
    def unit_fingerprint(self, unit: str) -> str | None:
        with self.backend.transaction() as tx:
            rows = tx.execute("SELECT fingerprint FROM catalog_units WHERE unit = ?", (unit,))
        return str(rows[0][0]) if rows else None

    def units(self) -> list[str]:
        with self.backend.transaction() as tx:
            return [str(r[0]) for r in tx.execute("SELECT unit FROM catalog_units ORDER BY unit")]

    def sync_unit(self, unit: str, fingerprint: str, entities: Sequence[HarvestedEntity]) -> SyncCounts:
        """Make the unit's active entities exactly ``entities``; write only what changed."""
        now = time.time()
        with self.backend.transaction(lock=f"unit:{unit}") as tx:
            existing = {
                str(guid): (str(fp), str(status))
                for guid, fp, status in tx.execute(
                    "SELECT guid, fingerprint, status FROM catalog_entities WHERE unit = ?", (unit,)
                )
            }
            rows = []
            added = changed = 0
            seen = set()
            for entity in entities:
                guid = entity.guid
                seen.add(guid)
                previous = existing.get(guid)
                if previous is None or previous[1] != ACTIVE:
                    added += 1
                elif previous[0] != entity.fingerprint:
                    changed += 1
                else:
                    continue
                rows.append(_entity_row(entity, guid, unit, now))
            gone = [guid for guid, (_, status) in existing.items() if status == ACTIVE and guid not in seen]
            tx.executemany(_UPSERT_ENTITY, rows)
            if gone:
                tx.executemany(
                    "UPDATE catalog_entities SET status = ?, updated_at = ? WHERE guid = ?",
                    [(DELETED, now, guid) for guid in gone],
                )
            tx.execute(
                "INSERT INTO catalog_units (unit, fingerprint, harvested_at) VALUES (?, ?, ?) "
                "ON CONFLICT (unit) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "harvested_at = excluded.harvested_at",
                (unit, fingerprint, now),
            )
            counts = SyncCounts(added, changed, len(gone))
            if counts.writes:
                tx.execute(_BUMP)
        return counts

    def remove_unit(self, unit: str) -> SyncCounts:
        """A unit no longer configured: every entity of it is deleted (curation is kept)."""
        now = time.time()
        with self.backend.transaction(lock=f"unit:{unit}") as tx:
            active = tx.execute(
                "SELECT guid FROM catalog_entities WHERE unit = ? AND status = ?", (unit, ACTIVE)
            )
            tx.execute(
                "UPDATE catalog_entities SET status = ?, updated_at = ? WHERE unit = ? AND status = ?",
                (DELETED, now, unit, ACTIVE),
            )
            tx.execute("DELETE FROM catalog_units WHERE unit = ?", (unit,))
            if active:
                tx.execute(_BUMP)
        return SyncCounts(removed=len(active))

    def entities(self, *, include_deleted: bool = False) -> list[StoredEntity]:
        query = f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM catalog_entities"
        params: tuple[Any, ...] = ()
        if not include_deleted:
            query += " WHERE status = ?"
            params = (ACTIVE,)
        with self.backend.transaction() as tx:
            rows = tx.execute(query + " ORDER BY qualified_name", params)
        return [_stored_entity(row) for row in rows]

    def entity(self, guid: str) -> StoredEntity | None:
        with self.backend.transaction() as tx:
            rows = tx.execute(
                f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM catalog_entities WHERE guid = ?", (guid,)
            )
        return _stored_entity(rows[0]) if rows else None

    # -- curation --------------------------------------------------------------------------------
    def curations(self) -> dict[str, Curation]:
        with self.backend.transaction() as tx:
            base = tx.execute(
                "SELECT guid, description, owners, deprecated, updated_at, updated_by FROM catalog_curations"
            )
            tags = tx.execute(
                "SELECT guid, name, attributes, propagate, updated_at, updated_by "
                "FROM catalog_classifications ORDER BY guid, name"
            )
            terms = tx.execute(
                "SELECT entity_guid, term_guid FROM catalog_term_assignments ORDER BY entity_guid, term_guid"
            )
        fields: dict[str, dict[str, Any]] = {}
        for guid, description, owners, deprecated, updated_at, updated_by in base:
            fields[guid] = {
                "description": description,
                "owners": tuple(json.loads(owners)),
                "deprecated": bool(deprecated),
                "updated_at": float(updated_at),
                "updated_by": updated_by,
                "classifications": [],
                "terms": [],
            }
        for guid, name, attributes, propagate, updated_at, updated_by in tags:
            entry = fields.setdefault(guid, {"classifications": [], "terms": []})
            entry["classifications"].append(Classification(name, json.loads(attributes), bool(propagate)))
            if float(updated_at) > float(entry.get("updated_at") or 0):
                entry["updated_at"], entry["updated_by"] = float(updated_at), updated_by
        for entity_guid, term_guid in terms:
            fields.setdefault(entity_guid, {"classifications": [], "terms": []})["terms"].append(term_guid)
        curations = {}
        for guid, entry in fields.items():
            entry["classifications"] = tuple(entry["classifications"])
            entry["terms"] = tuple(entry["terms"])
            curations[guid] = Curation(**entry)
        return curations

    def curation(self, guid: str) -> Curation:
        # small stores read everything; per-guid reads are for the API's single-entity writes
        return self.curations().get(guid, Curation())

    def update_curation(
        self,
        guid: str,
        *,
        user: str | None,
        description: str | _Unset | None = UNSET,
        owners: Iterable[str] | _Unset = UNSET,
        deprecated: bool | _Unset = UNSET,
    ) -> None:
        """Change the given fields of an entity's curation; the others stay as they are."""
        now = time.time()
        with self.backend.transaction(lock=f"curation:{guid}") as tx:
            rows = tx.execute(
                "SELECT description, owners, deprecated FROM catalog_curations WHERE guid = ?", (guid,)
            )
            current: tuple[Any, ...] = rows[0] if rows else (None, "[]", 0)
            new_description = current[0] if isinstance(description, _Unset) else description
            new_owners = current[1] if isinstance(owners, _Unset) else json.dumps(sorted(set(owners)))
            new_deprecated = current[2] if isinstance(deprecated, _Unset) else int(deprecated)
            tx.execute(
                "INSERT INTO catalog_curations "
                "(guid, description, owners, deprecated, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET "
                "description = excluded.description, "
                "owners = excluded.owners, deprecated = excluded.deprecated, "
                "updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by",
                (guid, new_description, new_owners, new_deprecated, now, user),
            )
            tx.execute(_BUMP)

    def add_classification(self, guid: str, classification: Classification, *, user: str | None) -> None:
        with self.backend.transaction(lock=f"curation:{guid}") as tx:
            tx.execute(
                "INSERT INTO catalog_classifications "
                "(guid, name, attributes, propagate, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guid, name) DO UPDATE SET "
                "attributes = excluded.attributes, propagate = excluded.propagate, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (
                    guid,
                    classification.name,
                    json.dumps(dict(classification.attributes), sort_keys=True),
                    int(classification.propagate),
                    time.time(),
                    user,
                ),
            )
            tx.execute(_BUMP)

    def remove_classification(self, guid: str, name: str) -> bool:
        with self.backend.transaction(lock=f"curation:{guid}") as tx:
            found = tx.execute(
                "SELECT 1 FROM catalog_classifications WHERE guid = ? AND name = ?", (guid, name)
            )
            if not found:
                return False
            tx.execute("DELETE FROM catalog_classifications WHERE guid = ? AND name = ?", (guid, name))
            tx.execute(_BUMP)
        return True

    # -- glossary ------------------------------------------------------------------------------
    def put_term(self, term: GlossaryTerm) -> None:
        with self.backend.transaction(lock="glossary") as tx:
            clash = tx.execute(
                "SELECT guid FROM catalog_terms WHERE glossary = ? AND name = ? AND guid <> ?",
                (term.glossary, term.name, term.guid),
            )
            if clash:
                raise StoreError(f"the glossary {term.glossary!r} already has a term {term.name!r}")
            tx.execute(
                "INSERT INTO catalog_terms "
                "(guid, name, glossary, short_description, long_description, synonyms) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET name = excluded.name, "
                "glossary = excluded.glossary, short_description = excluded.short_description, "
                "long_description = excluded.long_description, synonyms = excluded.synonyms",
                (
                    term.guid,
                    term.name,
                    term.glossary,
                    term.short_description,
                    term.long_description,
                    json.dumps(list(term.synonyms)),
                ),
            )
            tx.execute(_BUMP)

    def terms(self) -> list[GlossaryTerm]:
        with self.backend.transaction() as tx:
            rows = tx.execute(
                "SELECT guid, name, glossary, short_description, long_description, synonyms "
                "FROM catalog_terms ORDER BY glossary, name"
            )
        return [GlossaryTerm(g, n, gl, s, long, tuple(json.loads(syn))) for g, n, gl, s, long, syn in rows]

    def assign_term(self, entity_guid: str, term_guid: str) -> bool:
        """True when newly assigned; StoreError when the term does not exist."""
        with self.backend.transaction(lock=f"curation:{entity_guid}") as tx:
            if not tx.execute("SELECT 1 FROM catalog_terms WHERE guid = ?", (term_guid,)):
                raise StoreError("no such glossary term")
            if tx.execute(
                "SELECT 1 FROM catalog_term_assignments WHERE entity_guid = ? AND term_guid = ?",
                (entity_guid, term_guid),
            ):
                return False
            tx.execute(
                "INSERT INTO catalog_term_assignments (entity_guid, term_guid) VALUES (?, ?)",
                (entity_guid, term_guid),
            )
            tx.execute(_BUMP)
        return True

    def unassign_term(self, entity_guid: str, term_guid: str) -> bool:
        with self.backend.transaction(lock=f"curation:{entity_guid}") as tx:
            if not tx.execute(
                "SELECT 1 FROM catalog_term_assignments WHERE entity_guid = ? AND term_guid = ?",
                (entity_guid, term_guid),
            ):
                return False
            tx.execute(
                "DELETE FROM catalog_term_assignments WHERE entity_guid = ? AND term_guid = ?",
                (entity_guid, term_guid),
            )
            tx.execute(_BUMP)
        return True

    # -- lineage -------------------------------------------------------------------------------
    def put_process(
        self,
        guid: str,
        name: str,
        edges: Sequence[LineageEdge],
        *,
        sql: str | None = None,
        user: str | None = None,
    ) -> None:
        """Create or replace a process and all its edges (a view's SQL, a registered query)."""
        if any(edge.process_guid != guid for edge in edges):
            raise StoreError("every edge must belong to the process being written")
        with self.backend.transaction(lock=f"process:{guid}") as tx:
            tx.execute(
                "INSERT INTO catalog_processes (guid, name, sql_text, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET name = excluded.name, "
                "sql_text = excluded.sql_text, created_by = excluded.created_by",
                (guid, name, sql, user, time.time()),
            )
            tx.execute("DELETE FROM catalog_lineage WHERE process_guid = ?", (guid,))
            tx.executemany(
                "INSERT INTO catalog_lineage (process_guid, input_guid, output_guid) VALUES (?, ?, ?)",
                sorted({(e.process_guid, e.input_guid, e.output_guid) for e in edges}),
            )
            tx.execute(_BUMP)

    def remove_process(self, guid: str) -> bool:
        with self.backend.transaction(lock=f"process:{guid}") as tx:
            if not tx.execute("SELECT 1 FROM catalog_processes WHERE guid = ?", (guid,)):
                return False
            tx.execute("DELETE FROM catalog_lineage WHERE process_guid = ?", (guid,))
            tx.execute("DELETE FROM catalog_processes WHERE guid = ?", (guid,))
            tx.execute(_BUMP)
        return True

    def processes(self) -> list[Process]:
        with self.backend.transaction() as tx:
            rows = tx.execute(
                "SELECT guid, name, sql_text, created_by, created_at FROM catalog_processes "
                "ORDER BY name, guid"
            )
        return [Process(g, n, s, u, float(t)) for g, n, s, u, t in rows]

    def lineage_edges(self) -> list[LineageEdge]:
        with self.backend.transaction() as tx:
            rows = tx.execute(
                "SELECT process_guid, input_guid, output_guid FROM catalog_lineage "
                "ORDER BY process_guid, input_guid, output_guid"
            )
        return [LineageEdge(p, i, o) for p, i, o in rows]

    # -- harvest runs --------------------------------------------------------------------------
    def record_runs(self, runs: Sequence[HarvestRun], *, keep_days: float = 30.0) -> None:
        """Record harvest runs; runs older than ``keep_days`` are dropped."""
        with self.backend.transaction() as tx:
            tx.execute(
                "DELETE FROM catalog_harvest_runs WHERE started_at < ?", (time.time() - keep_days * 86400,)
            )
            tx.executemany(
                "INSERT INTO catalog_harvest_runs (unit, instance, started_at, duration_ms, status, message, "
                "added, changed, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.unit,
                        r.instance,
                        r.started_at,
                        r.duration_ms,
                        r.status,
                        r.message,
                        r.added,
                        r.changed,
                        r.removed,
                    )
                    for r in runs
                ],
            )

    def runs(self, limit: int = 100) -> list[HarvestRun]:
        with self.backend.transaction() as tx:
            rows = tx.execute(
                "SELECT unit, instance, started_at, duration_ms, status, message, added, changed, removed "
                "FROM catalog_harvest_runs ORDER BY started_at DESC, unit LIMIT ?",
                (int(limit),),
            )
        return [
            HarvestRun(u, i, float(s), float(d), st, m, int(a), int(c), int(r))
            for u, i, s, d, st, m, a, c, r in rows
        ]


def _entity_row(entity: HarvestedEntity, guid: str, unit: str, now: float) -> tuple[Any, ...]:
    path = entity.path
    return (
        guid,
        entity.type.value,
        entity.qualified_name,
        entity.name,
        entity.source,
        unit,
        path.catalog,
        path.schema,
        path.table,
        path.column,
        entity.parent_guid,
        entity.comment,
        entity.data_type,
        entity.position,
        None if entity.nullable is None else int(entity.nullable),
        entity.storage_format,
        entity.location,
        entity.row_count,
        entity.size_bytes,
        entity.view_sql,
        entity.created_at,
        entity.fingerprint,
        ACTIVE,
        now,
        now,
    )


def _stored_entity(row: Sequence[Any]) -> StoredEntity:
    (guid, kind, qname, name, source, _unit, catalog, schema, table, column, parent, comment, data_type,
     position, nullable, storage_format, location, row_count, size_bytes, view_sql, created_at,
     fingerprint, status, first_seen, updated_at) = row  # fmt: skip
    harvested = HarvestedEntity(
        type=EntityType(kind),
        qualified_name=qname,
        name=name,
        source=source,
        path=ResourcePath(catalog, schema, table, column),
        parent_guid=parent,
        comment=comment,
        data_type=data_type,
        position=None if position is None else int(position),
        nullable=None if nullable is None else bool(nullable),
        storage_format=storage_format,
        location=location,
        row_count=None if row_count is None else int(row_count),
        size_bytes=None if size_bytes is None else int(size_bytes),
        view_sql=view_sql,
        created_at=None if created_at is None else float(created_at),
        fingerprint=fingerprint,
    )
    return StoredEntity(guid, harvested, status, float(first_seen), float(updated_at))
