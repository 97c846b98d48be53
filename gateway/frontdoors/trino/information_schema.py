"""``<catalog>.information_schema``: schemata, tables, columns, views and the privilege tables.

Built from the metadata the caller may list (``listing``), as Arrow tables with Trino's column
names; every catalog has its own, listing itself too, as Trino's does. The ``system`` catalog's
describes the system tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyarrow as pa

from connectors.base import ColumnInfo, TableInfo
from gateway.frontdoors.trino.listing import Listing

INFORMATION_SCHEMA = "information_schema"
_V = pa.string()
_B = pa.int64()

SCHEMAS: dict[str, pa.Schema] = {
    "schemata": pa.schema([("catalog_name", _V), ("schema_name", _V)]),
    "tables": pa.schema(
        [
            ("table_catalog", _V),
            ("table_schema", _V),
            ("table_name", _V),
            ("table_type", _V),
            ("table_comment", _V),
        ]
    ),
    "columns": pa.schema(
        [
            ("table_catalog", _V),
            ("table_schema", _V),
            ("table_name", _V),
            ("column_name", _V),
            ("ordinal_position", _B),
            ("column_default", _V),
            ("is_nullable", _V),
            ("data_type", _V),
            ("comment", _V),
            ("extra_info", _V),
        ]
    ),
    "views": pa.schema(
        [("table_catalog", _V), ("table_schema", _V), ("table_name", _V), ("view_definition", _V)]
    ),
    "table_privileges": pa.schema(
        [
            ("grantor", _V),
            ("grantor_type", _V),
            ("grantee", _V),
            ("grantee_type", _V),
            ("table_catalog", _V),
            ("table_schema", _V),
            ("table_name", _V),
            ("privilege_type", _V),
            ("is_grantable", _V),
            ("with_hierarchy", _V),
        ]
    ),
    "roles": pa.schema([("role_name", _V)]),
    "applicable_roles": pa.schema(
        [("grantee", _V), ("grantee_type", _V), ("role_name", _V), ("is_grantable", _V)]
    ),
    "enabled_roles": pa.schema([("role_name", _V)]),
}


def _trino_type_name(dtype: pa.DataType) -> str:
    return "bigint" if dtype == _B else "boolean" if dtype == pa.bool_() else "varchar"


def schema_rows(catalog: str, tables: dict[str, pa.Schema]) -> list[TableInfo]:
    """Rows for tables defined by Arrow schemas (information_schema's own, the system tables)."""
    rows = []
    for dotted, schema in sorted(tables.items()):
        schema_name, _, table = dotted.partition(".")
        columns = tuple(ColumnInfo(f.name, _trino_type_name(f.type)) for f in schema)
        rows.append(TableInfo(catalog, schema_name, table, columns))
    return rows


def own_tables(catalog: str) -> list[TableInfo]:
    return schema_rows(catalog, {f"{INFORMATION_SCHEMA}.{name}": schema for name, schema in SCHEMAS.items()})


class CatalogMetadata:
    """One catalog's schemas and tables for information_schema (real, or the system catalog)."""

    def __init__(self, catalog: str, schemas: list[str], tables: Callable[[str], list[TableInfo]]) -> None:
        self.catalog = catalog
        self.schema_names = sorted({*schemas, INFORMATION_SCHEMA})
        self._tables = tables

    def tables(self, schema_filter: Callable[[str], bool] | None = None) -> Iterable[TableInfo]:
        for schema in self.schema_names:
            if schema_filter is not None and not schema_filter(schema):
                continue
            if schema == INFORMATION_SCHEMA:
                yield from own_tables(self.catalog)
            else:
                yield from self._tables(schema)


def catalog_metadata(catalog: str, listing: Listing) -> CatalogMetadata | None:
    info = listing.catalog(catalog)
    if info is None:
        return None

    def tables(schema: str) -> list[TableInfo]:
        rows = []
        for listed in listing.tables(info.name, schema):
            t = listing.table(info.name, listed.schema, listed.name)  # only the columns one may see
            if t is not None:
                rows.append(t)
        return rows

    return CatalogMetadata(info.name, listing.schemas(info.name), tables)


def build(name: str, metadata: CatalogMetadata) -> pa.Table | None:
    """``information_schema.<name>`` of one catalog, or None if there is no such table."""
    schema = SCHEMAS.get(name)
    if schema is None:
        return None
    catalog = metadata.catalog
    if name == "schemata":
        return pa.table([[catalog] * len(metadata.schema_names), metadata.schema_names], schema=schema)
    if name in ("tables", "views", "columns"):
        tables = list(metadata.tables())
        if name == "tables":
            return pa.Table.from_pylist(
                [
                    {
                        "table_catalog": t.catalog,
                        "table_schema": t.schema,
                        "table_name": t.name,
                        "table_type": t.kind,
                        "table_comment": t.comment,
                    }
                    for t in tables
                ],
                schema=schema,
            )
        if name == "views":
            views = [t for t in tables if t.kind == "VIEW"]
            return pa.Table.from_pylist(
                [
                    {
                        "table_catalog": t.catalog,
                        "table_schema": t.schema,
                        "table_name": t.name,
                        "view_definition": None,
                    }
                    for t in views
                ],
                schema=schema,
            )
        return pa.Table.from_pylist(
            [
                {
                    "table_catalog": t.catalog,
                    "table_schema": t.schema,
                    "table_name": t.name,
                    "column_name": c.name,
                    "ordinal_position": position,
                    "column_default": None,
                    "is_nullable": "YES" if c.nullable else "NO",
                    "data_type": c.type,
                    "comment": c.comment,
                    "extra_info": None,
                }
                for t in tables
                for position, c in enumerate(t.columns, start=1)
            ],
            schema=schema,
        )
    return schema.empty_table()
