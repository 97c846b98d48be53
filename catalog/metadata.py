"""A snapshot of every catalog's metadata, indexed for name resolution and browsing.

Names resolve case-insensitively (as Trino folds unquoted identifiers to lower case); the
snapshot's ``version`` changes whenever the metadata does, and keys every plan cache entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot.schema import MappingSchema

from connectors.base import CatalogInfo, TableInfo


@dataclass(frozen=True, slots=True)
class Resolved:
    catalog: str
    schema: str
    table: str
    info: TableInfo


class MetadataSnapshot:
    def __init__(self, catalogs: Iterable[CatalogInfo]) -> None:
        self._catalogs = {c.name.lower(): c for c in catalogs}
        self._schemas: dict[str, dict[str, str]] = {}
        self._tables: dict[tuple[str, str], dict[str, TableInfo]] = {}
        digest = hashlib.sha256()
        for key, catalog in sorted(self._catalogs.items()):
            self._schemas[key] = {s.lower(): s for s in catalog.schemas}
            for schema, tables in catalog.schemas.items():
                self._tables[(key, schema.lower())] = {t.lower(): info for t, info in tables.items()}
                for name, info in sorted(tables.items()):
                    digest.update(f"{key}.{schema}.{name}:".encode())
                    digest.update(",".join(f"{c.name} {c.type}" for c in info.columns).encode())
        self.version = digest.hexdigest()[:16]
        self._sqlglot_mapping: dict[str, object] | None = None
        self._sqlglot_schemas = threading.local()

    def sqlglot_schema(self) -> MappingSchema:
        """Every table's columns and types, for sqlglot's column qualification: one per thread.

        sqlglot's schema caches the planned query's own table nodes and hands them to later
        look-ups, while that query's planning goes on rewriting them (physical catalog names):
        shared between threads planning at once, it refused valid queries now and then."""
        schema: MappingSchema | None = getattr(self._sqlglot_schemas, "schema", None)
        if schema is None:
            schema = MappingSchema(self._sqlglot_columns(), dialect="trino", normalize=False)
            self._sqlglot_schemas.schema = schema
        return schema

    def _sqlglot_columns(self) -> dict[str, object]:
        mapping = self._sqlglot_mapping
        if mapping is None:
            mapping = {}
            for catalog in self._catalogs.values():
                for schema, tables in catalog.schemas.items():
                    for name, info in tables.items():
                        columns = {c.name: c.type for c in info.columns}
                        schemas = mapping.setdefault(catalog.name, {})
                        assert isinstance(schemas, dict)
                        schemas.setdefault(schema, {})[name] = columns
            self._sqlglot_mapping = mapping
        return mapping

    def catalogs(self) -> list[CatalogInfo]:
        return [self._catalogs[k] for k in sorted(self._catalogs)]

    def catalog(self, name: str) -> CatalogInfo | None:
        return self._catalogs.get(name.lower())

    def schema_name(self, catalog: str, schema: str) -> str | None:
        return self._schemas.get(catalog.lower(), {}).get(schema.lower())

    def tables(self, catalog: str, schema: str) -> list[TableInfo]:
        tables = self._tables.get((catalog.lower(), schema.lower()), {})
        return [tables[k] for k in sorted(tables)]

    def table(self, catalog: str, schema: str, table: str) -> TableInfo | None:
        return self._tables.get((catalog.lower(), schema.lower()), {}).get(table.lower())
