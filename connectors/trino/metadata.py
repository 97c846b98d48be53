"""Tables and columns of the Trino catalogs Lakegate exposes, read from ``information_schema``.

Only catalogs named in the config are read, each from ``<catalog>.information_schema.columns``
of one healthy cluster, as Lakegate's service user; they appear under their logical names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from connectors.base import CatalogInfo, ColumnInfo, TableInfo

COLUMNS_SQL = (
    "SELECT table_catalog, table_schema, table_name, column_name, data_type, is_nullable, comment "
    "FROM {catalog}.information_schema.columns "
    "WHERE table_schema <> 'information_schema' "
    "ORDER BY table_schema, table_name, ordinal_position"
)


@dataclass(frozen=True, slots=True)
class TrinoCatalog:
    """A logical catalog served by the Trino clusters."""

    name: str
    #: the catalog's name on the clusters
    physical: str
    comment: str | None = None


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def columns_sql(catalog: TrinoCatalog) -> str:
    return COLUMNS_SQL.format(catalog=quote(catalog.physical))


def catalog_info(catalog: TrinoCatalog, rows: Iterable[Mapping[str, object]], connector: str) -> CatalogInfo:
    """The catalog's metadata from the rows of :data:`COLUMNS_SQL`."""
    info = CatalogInfo(name=catalog.name, connector=connector, comment=catalog.comment)
    columns: dict[tuple[str, str], list[ColumnInfo]] = {}
    for row in rows:
        comment = row["comment"]
        columns.setdefault((str(row["table_schema"]), str(row["table_name"])), []).append(
            ColumnInfo(
                str(row["column_name"]),
                str(row["data_type"]),
                str(row["is_nullable"]).upper() != "NO",
                None if comment is None else str(comment),
            )
        )
    for (schema, table), cols in columns.items():
        info.schemas.setdefault(schema, {})[table] = TableInfo(catalog.name, schema, table, tuple(cols))
    return info
