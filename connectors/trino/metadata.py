"""Tables and columns of the Trino catalogs Lakegate exposes, read from ``information_schema``.

Only catalogs named in the config are read, each from ``<catalog>.information_schema.columns``
of one healthy cluster, as Lakegate's service user; they appear under their logical names.
Which relations are views (and their SQL) comes from ``information_schema.tables`` and
``views``, table comments from ``system.metadata.table_comments``.
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

TABLES_SQL = (
    "SELECT table_schema, table_name, table_type FROM {catalog}.information_schema.tables "
    "WHERE table_schema <> 'information_schema'"
)
VIEWS_SQL = (
    "SELECT table_schema, table_name, view_definition FROM {catalog}.information_schema.views "
    "WHERE table_schema <> 'information_schema'"
)
COMMENTS_SQL = (
    "SELECT schema_name, table_name, comment FROM system.metadata.table_comments "
    "WHERE catalog_name = {literal} AND comment IS NOT NULL"
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


def extra_sql(catalog: TrinoCatalog) -> dict[str, str]:
    """The queries for what the columns do not tell: table types, view SQL, table comments."""
    literal = "'" + catalog.physical.replace("'", "''") + "'"
    return {
        "tables": TABLES_SQL.format(catalog=quote(catalog.physical)),
        "views": VIEWS_SQL.format(catalog=quote(catalog.physical)),
        "comments": COMMENTS_SQL.format(literal=literal),
    }


def catalog_info(
    catalog: TrinoCatalog,
    rows: Iterable[Mapping[str, object]],
    connector: str,
    extra: Mapping[str, Iterable[Mapping[str, object]]] | None = None,
) -> CatalogInfo:
    """The catalog's metadata from the rows of :data:`COLUMNS_SQL` (and of :func:`extra_sql`)."""
    extra = extra or {}
    kinds = {
        (str(r["table_schema"]), str(r["table_name"])): str(r["table_type"]) for r in extra.get("tables", ())
    }
    views = {
        (str(r["table_schema"]), str(r["table_name"])): r["view_definition"] for r in extra.get("views", ())
    }
    comments = {
        (str(r["schema_name"]), str(r["table_name"])): r["comment"] for r in extra.get("comments", ())
    }
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
        key = (schema, table)
        view = kinds.get(key) == "VIEW" or key in views
        comment, sql = comments.get(key), views.get(key)
        info.schemas.setdefault(schema, {})[table] = TableInfo(
            catalog.name,
            schema,
            table,
            tuple(cols),
            "VIEW" if view else "BASE TABLE",
            None if comment is None else str(comment),
            view_sql=None if sql is None else str(sql),
        )
    return info
