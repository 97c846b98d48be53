"""The metadata one user may see: the same policies that authorize queries filter listings.

A catalog, schema or table is listed when the user has any access to it or to something below
it (Ranger's ``_any`` access with descendants); a column when the user has any access to it.
Without policies, everything is visible.
"""

from __future__ import annotations

from dataclasses import replace

from auth.authorizer import Authorizer
from auth.identity import Identity
from catalog.metadata import MetadataSnapshot
from connectors.base import CatalogInfo, TableInfo


class VisibleMetadata:
    def __init__(self, snapshot: MetadataSnapshot, authorizer: Authorizer | None, identity: Identity) -> None:
        self.snapshot = snapshot
        self.authorizer = authorizer
        self.identity = identity

    def _sees(
        self, catalog: str, schema: str | None = None, table: str | None = None, column: str | None = None
    ) -> bool:
        if self.authorizer is None:
            return True
        return self.authorizer.can_see(self.identity, catalog, schema, table, column)

    def catalogs(self) -> list[CatalogInfo]:
        return [c for c in self.snapshot.catalogs() if self._sees(c.name)]

    def catalog(self, name: str) -> CatalogInfo | None:
        info = self.snapshot.catalog(name)
        return info if info is not None and self._sees(info.name) else None

    def schemas(self, catalog: str) -> list[str]:
        info = self.catalog(catalog)
        if info is None:
            return []
        return [s for s in sorted(info.schemas) if self._sees(info.name, s)]

    def schema_name(self, catalog: str, schema: str) -> str | None:
        info = self.catalog(catalog)
        real = self.snapshot.schema_name(catalog, schema) if info is not None else None
        return real if real is not None and info is not None and self._sees(info.name, real) else None

    def tables(self, catalog: str, schema: str) -> list[TableInfo]:
        real = self.schema_name(catalog, schema)
        if real is None:
            return []
        return [t for t in self.snapshot.tables(catalog, real) if self._sees(t.catalog, t.schema, t.name)]

    def table(self, catalog: str, schema: str, table: str) -> TableInfo | None:
        real = self.schema_name(catalog, schema)
        info = self.snapshot.table(catalog, real, table) if real is not None else None
        if info is None or not self._sees(info.catalog, info.schema, info.name):
            return None
        columns = tuple(c for c in info.columns if self._sees(info.catalog, info.schema, info.name, c.name))
        return replace(info, columns=columns)
