"""Dataset definitions in the state store (the catalog store's backend: SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from catalog.store.backends import Backend
from gateway.datasets.model import Column, Dataset, Kind, Security

_COLUMNS = (
    "dataset_key",
    "catalog_name",
    "schema_name",
    "table_name",
    "kind",
    "sql_text",
    "session_catalog",
    "session_schema",
    "owner",
    "owner_groups",
    "security",
    "comment",
    "column_comments",
    "columns",
    "version",
    "data_file",
    "row_count",
    "size_bytes",
    "duration_ms",
    "refreshed_at",
    "last_error",
    "refresh_seconds",
    "created_at",
    "updated_at",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM lakegate_datasets"
_UPSERT = (
    f"INSERT INTO lakegate_datasets ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (dataset_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "dataset_key")
)
_BUMP = "UPDATE catalog_version SET version = version + 1 WHERE id = 1"


def dataset_key(catalog: str, schema: str, name: str) -> str:
    return f"{catalog}.{schema}.{name}".lower()


def _row(d: Dataset) -> tuple[Any, ...]:
    return (
        dataset_key(*d.key),
        d.catalog,
        d.schema,
        d.name,
        d.kind.value,
        d.sql,
        d.session_catalog,
        d.session_schema,
        d.owner,
        json.dumps(list(d.owner_groups)),
        d.security.value,
        d.comment,
        json.dumps(d.column_comments, sort_keys=True),
        json.dumps([[c.name, c.type] for c in d.columns]),
        d.version,
        d.data_file,
        d.row_count,
        d.size_bytes,
        d.duration_ms,
        d.refreshed_at,
        d.last_error,
        d.refresh_seconds,
        d.created_at,
        d.updated_at,
    )


def _dataset(row: Sequence[Any]) -> Dataset:
    values = dict(zip(_COLUMNS, row, strict=True))
    return Dataset(
        catalog=values["catalog_name"],
        schema=values["schema_name"],
        name=values["table_name"],
        kind=Kind(values["kind"]),
        sql=values["sql_text"],
        owner=values["owner"],
        owner_groups=tuple(json.loads(values["owner_groups"])),
        security=Security(values["security"]),
        session_catalog=values["session_catalog"],
        session_schema=values["session_schema"],
        comment=values["comment"],
        column_comments=dict(json.loads(values["column_comments"])),
        columns=tuple(Column(n, t) for n, t in json.loads(values["columns"])),
        version=int(values["version"]),
        data_file=values["data_file"],
        row_count=values["row_count"],
        size_bytes=values["size_bytes"],
        duration_ms=values["duration_ms"],
        refreshed_at=values["refreshed_at"],
        last_error=values["last_error"],
        refresh_seconds=values["refresh_seconds"],
        created_at=float(values["created_at"]),
        updated_at=float(values["updated_at"]),
    )


class DatasetStore:
    """Reads and writes ``lakegate_datasets``; every write bumps the catalog store's version."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def all(self) -> list[Dataset]:
        with self.backend.transaction() as tx:
            rows = tx.execute(_SELECT + " ORDER BY dataset_key")
        return [_dataset(r) for r in rows]

    def get(self, catalog: str, schema: str, name: str) -> Dataset | None:
        with self.backend.transaction() as tx:
            rows = tx.execute(_SELECT + " WHERE dataset_key = ?", (dataset_key(catalog, schema, name),))
        return _dataset(rows[0]) if rows else None

    def put(self, dataset: Dataset) -> Dataset:
        now = time.time()
        dataset = replace(dataset, created_at=dataset.created_at or now, updated_at=now)
        with self.backend.transaction(lock="datasets") as tx:
            tx.execute(_UPSERT, _row(dataset))
            tx.execute(_BUMP)
        return dataset

    def rename(self, old: Dataset, new: Dataset) -> Dataset:
        """Replace ``old`` by ``new`` (another name) in one transaction."""
        now = time.time()
        new = replace(new, updated_at=now)
        with self.backend.transaction(lock="datasets") as tx:
            tx.execute("DELETE FROM lakegate_datasets WHERE dataset_key = ?", (dataset_key(*old.key),))
            tx.execute(_UPSERT, _row(new))
            tx.execute(_BUMP)
        return new

    def delete(self, dataset: Dataset) -> bool:
        with self.backend.transaction(lock="datasets") as tx:
            found = tx.execute(
                "SELECT dataset_key FROM lakegate_datasets WHERE dataset_key = ?",
                (dataset_key(*dataset.key),),
            )
            tx.execute("DELETE FROM lakegate_datasets WHERE dataset_key = ?", (dataset_key(*dataset.key),))
            tx.execute(_BUMP)
        return bool(found)
