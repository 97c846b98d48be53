"""The ``system`` catalog's tables that clients query: ``jdbc``, ``metadata`` and ``runtime``.

``system.jdbc.*`` answer the JDBC driver's ``DatabaseMetaData`` calls (and SQLAlchemy's
``get_catalog_names``); the ones the driver only reads the shape of are empty with the right
columns. ``system.runtime.queries`` shows the caller's own queries only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from connectors.base import TableInfo
from gateway.frontdoors.trino import information_schema
from gateway.frontdoors.trino.errors import error_document
from gateway.frontdoors.trino.information_schema import CatalogMetadata, catalog_metadata
from gateway.frontdoors.trino.listing import Listing
from gateway.frontdoors.trino.types import UNBOUNDED_LENGTH, parse_type_text
from gateway.queries import QueryRecord

_V = pa.string()
_B = pa.int64()
_BOOL = pa.bool_()
_TS = pa.timestamp("ms", tz="UTC")


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(columns))


def _varchars(*names: str) -> list[tuple[str, pa.DataType]]:
    return [(n, _V) for n in names]


SCHEMAS: dict[str, pa.Schema] = {
    "jdbc.catalogs": _schema(("table_cat", _V)),
    "jdbc.schemas": _schema(("table_schem", _V), ("table_catalog", _V)),
    "jdbc.table_types": _schema(("table_type", _V)),
    "jdbc.tables": _schema(
        *_varchars(
            "table_cat",
            "table_schem",
            "table_name",
            "table_type",
            "remarks",
            "type_cat",
            "type_schem",
            "type_name",
            "self_referencing_col_name",
            "ref_generation",
        )
    ),
    "jdbc.columns": _schema(
        *_varchars("table_cat", "table_schem", "table_name", "column_name"),
        ("data_type", _B),
        ("type_name", _V),
        ("column_size", _B),
        ("buffer_length", _B),
        ("decimal_digits", _B),
        ("num_prec_radix", _B),
        ("nullable", _B),
        ("remarks", _V),
        ("column_def", _V),
        ("sql_data_type", _B),
        ("sql_datetime_sub", _B),
        ("char_octet_length", _B),
        ("ordinal_position", _B),
        *_varchars("is_nullable", "scope_catalog", "scope_schema", "scope_table"),
        ("source_data_type", _B),
        *_varchars("is_autoincrement", "is_generatedcolumn"),
    ),
    "jdbc.types": _schema(
        ("type_name", _V),
        ("data_type", _B),
        ("precision", _B),
        *_varchars("literal_prefix", "literal_suffix", "create_params"),
        ("nullable", _B),
        ("case_sensitive", _BOOL),
        ("searchable", _B),
        ("unsigned_attribute", _BOOL),
        ("fixed_prec_scale", _BOOL),
        ("auto_increment", _BOOL),
        ("local_type_name", _V),
        ("minimum_scale", _B),
        ("maximum_scale", _B),
        ("sql_data_type", _B),
        ("sql_datetime_sub", _B),
        ("num_prec_radix", _B),
    ),
    "jdbc.procedures": _schema(
        *_varchars("procedure_cat", "procedure_schem", "procedure_name", "remarks"),
        ("procedure_type", _B),
        ("specific_name", _V),
    ),
    "jdbc.procedure_columns": _schema(
        *_varchars("procedure_cat", "procedure_schem", "procedure_name", "column_name"),
        ("column_type", _B),
        ("data_type", _B),
        ("type_name", _V),
        ("precision", _B),
        ("length", _B),
        ("scale", _B),
        ("radix", _B),
        ("nullable", _B),
        ("remarks", _V),
        ("column_def", _V),
        ("sql_data_type", _B),
        ("sql_datetime_sub", _B),
        ("char_octet_length", _B),
        ("ordinal_position", _B),
        ("is_nullable", _V),
        ("specific_name", _V),
    ),
    "jdbc.udts": _schema(
        *_varchars("type_cat", "type_schem", "type_name", "class_name", "data_type", "remarks", "base_type")
    ),
    "jdbc.super_types": _schema(
        *_varchars(
            "type_cat", "type_schem", "type_name", "supertype_cat", "supertype_schem", "supertype_name"
        )
    ),
    "jdbc.super_tables": _schema(*_varchars("table_cat", "table_schem", "table_name", "supertable_name")),
    "jdbc.attributes": _schema(
        *_varchars("type_cat", "type_schem", "type_name", "attr_name"),
        ("data_type", _B),
        ("attr_type_name", _V),
        ("attr_size", _B),
        ("decimal_digits", _B),
        ("num_prec_radix", _B),
        ("nullable", _B),
        ("remarks", _V),
        ("attr_def", _V),
        ("sql_data_type", _B),
        ("sql_datetime_sub", _B),
        ("char_octet_length", _B),
        ("ordinal_position", _B),
        *_varchars("is_nullable", "scope_catalog", "scope_schema", "scope_table"),
        ("source_data_type", _B),
    ),
    "jdbc.pseudo_columns": _schema(
        *_varchars("table_cat", "table_schem", "table_name", "column_name"),
        ("data_type", _B),
        ("column_size", _B),
        ("decimal_digits", _B),
        ("num_prec_radix", _B),
        ("column_usage", _V),
        ("remarks", _V),
        ("char_octet_length", _B),
        ("is_nullable", _B),
    ),
    "metadata.catalogs": _schema(*_varchars("catalog_name", "connector_id", "connector_name")),
    "metadata.table_comments": _schema(*_varchars("catalog_name", "schema_name", "table_name", "comment")),
    "runtime.queries": _schema(
        *_varchars("query_id", "state", "user", "source", "query"),
        ("resource_group_id", pa.list_(_V)),
        ("queued_time_ms", _B),
        ("analysis_time_ms", _B),
        ("planning_time_ms", _B),
        ("created", _TS),
        ("started", _TS),
        ("last_heartbeat", _TS),
        ("end", _TS),
        *_varchars("error_type", "error_code"),
    ),
    "runtime.nodes": _schema(
        *_varchars("node_id", "http_uri", "node_version"), ("coordinator", _BOOL), ("state", _V)
    ),
}

# java.sql.Types for Trino's type names
_JDBC_TYPES = {
    "boolean": 16,
    "tinyint": -6,
    "smallint": 5,
    "integer": 4,
    "bigint": -5,
    "real": 7,
    "double": 8,
    "decimal": 3,
    "varchar": 12,
    "char": 1,
    "varbinary": -3,
    "date": 91,
    "time": 92,
    "time with time zone": 2013,
    "timestamp": 93,
    "timestamp with time zone": 2014,
    "array": 2003,
    "json": 12,
}
_FIXED_SIZES = {
    "boolean": 1,
    "tinyint": 3,
    "smallint": 5,
    "integer": 10,
    "bigint": 19,
    "real": 24,
    "double": 53,
}
_TYPE_NAMES = (
    "bigint",
    "boolean",
    "char",
    "date",
    "decimal",
    "double",
    "integer",
    "interval day to second",
    "interval year to month",
    "json",
    "real",
    "smallint",
    "time",
    "time with time zone",
    "timestamp",
    "timestamp with time zone",
    "tinyint",
    "uuid",
    "varbinary",
    "varchar",
)
_PARAMETRIC_TYPES = ("array", "map", "row")


@dataclass(frozen=True, slots=True)
class SystemContext:
    """What system tables are built from: what the caller may list, and who they are."""

    listing: Listing
    user: str
    queries: list[QueryRecord]
    version: str
    node_uri: str


def system_catalog() -> CatalogMetadata:
    return CatalogMetadata("system", ["jdbc", "metadata", "runtime"], _system_tables_of)


def _system_tables_of(schema: str) -> list[TableInfo]:
    return information_schema.schema_rows(
        "system", {name: s for name, s in SCHEMAS.items() if name.startswith(schema + ".")}
    )


def _catalogs(ctx: SystemContext) -> Iterable[CatalogMetadata]:
    for info in ctx.listing.catalogs():
        metadata = catalog_metadata(info.name, ctx.listing)
        if metadata is not None:
            yield metadata


def _column_facts(type_text: str) -> tuple[int, int | None, int | None, int | None]:
    """(java.sql.Types code, column size, decimal digits, radix) of a Trino type name."""
    base, args = parse_type_text(type_text)
    code = _JDBC_TYPES.get(base, 2000)  # JAVA_OBJECT for map, row, uuid and the like
    numbers = [int(a) for a in args if a.isdigit()]
    if base in _FIXED_SIZES:
        radix = 2 if base in ("real", "double") else 10
        return code, _FIXED_SIZES[base], 0 if radix == 10 else None, radix
    if base == "decimal":
        precision, scale = [*numbers, 0][:2] if numbers else [38, 0]
        return code, precision, scale, 10
    if base in ("varchar", "char", "varbinary"):
        return code, numbers[0] if numbers else UNBOUNDED_LENGTH, None, None
    if base in ("time", "time with time zone", "timestamp", "timestamp with time zone"):
        precision = numbers[0] if numbers else 3
        width = 8 if base.startswith("time") and not base.startswith("timestamp") else 19
        return (
            code,
            width + (precision + 1 if precision else 0) + (6 if "zone" in base else 0),
            precision,
            None,
        )
    if base == "date":
        return code, 10, None, None
    return code, None, None, None


def _jdbc_tables(ctx: SystemContext) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for catalog in _catalogs(ctx):
        for t in catalog.tables():
            rows.append(
                {
                    "table_cat": t.catalog,
                    "table_schem": t.schema,
                    "table_name": t.name,
                    "table_type": "VIEW" if t.kind == "VIEW" else "TABLE",
                    "remarks": t.comment,
                }
            )
    return rows


def _jdbc_columns(ctx: SystemContext) -> list[dict[str, object]]:
    rows = []
    for catalog in _catalogs(ctx):
        for t in catalog.tables():
            for position, column in enumerate(t.columns, start=1):
                code, size, digits, radix = _column_facts(column.type)
                rows.append(
                    {
                        "table_cat": t.catalog,
                        "table_schem": t.schema,
                        "table_name": t.name,
                        "column_name": column.name,
                        "data_type": code,
                        "type_name": column.type,
                        "column_size": size,
                        "buffer_length": 0,
                        "decimal_digits": digits,
                        "num_prec_radix": radix,
                        "nullable": 1 if column.nullable else 0,
                        "remarks": column.comment,
                        "char_octet_length": size if code in (12, 1, -3) else None,
                        "ordinal_position": position,
                        "is_nullable": "YES" if column.nullable else "NO",
                        "is_autoincrement": "NO",
                        "is_generatedcolumn": "NO",
                    }
                )
    return rows


def _jdbc_types() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name in _TYPE_NAMES:
        code, size, _, radix = _column_facts(name)
        rows.append(
            {
                "type_name": name,
                "data_type": code,
                "precision": size,
                "nullable": 1,
                "case_sensitive": False,
                "searchable": 3,
                "fixed_prec_scale": False,
                "minimum_scale": 0,
                "maximum_scale": 0,
                "num_prec_radix": radix,
            }
        )
    for name in _PARAMETRIC_TYPES:
        rows.append(
            {
                "type_name": name,
                "data_type": 2003 if name == "array" else 2000,
                "nullable": 1,
                "searchable": 0,
            }
        )
    return rows


def _ms(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


def _queries(ctx: SystemContext) -> list[dict[str, object]]:
    rows = []
    for record in ctx.queries:
        if record.user != ctx.user:
            continue
        error = error_document(record.error) if record.error is not None else None
        queued = (record.started - record.created) * 1000 if record.started else None
        rows.append(
            {
                "query_id": record.id,
                "state": record.state.value,
                "user": record.user,
                "source": record.source,
                "query": record.sql,
                "resource_group_id": record.resource_group.split(".") if record.resource_group else None,
                "queued_time_ms": round(queued) if queued is not None else None,
                "created": _ms(record.created),
                "started": _ms(record.started),
                "last_heartbeat": _ms(record.finished or record.started or record.created),
                "end": _ms(record.finished),
                "error_type": error["errorType"] if error else None,
                "error_code": error["errorName"] if error else None,
            }
        )
    return rows


def build(dotted: str, ctx: SystemContext) -> pa.Table | None:
    """``system.<schema>.<table>`` as an Arrow table, or None if there is no such table."""
    schema = SCHEMAS.get(dotted)
    if schema is None:
        return None
    rows: list[dict[str, object]]
    if dotted == "jdbc.catalogs":
        rows = [{"table_cat": c.name} for c in ctx.listing.catalogs()]
    elif dotted == "jdbc.schemas":
        rows = [
            {"table_schem": s, "table_catalog": c.catalog} for c in _catalogs(ctx) for s in c.schema_names
        ]
    elif dotted == "jdbc.table_types":
        rows = [{"table_type": "TABLE"}, {"table_type": "VIEW"}]
    elif dotted == "jdbc.tables":
        rows = _jdbc_tables(ctx)
    elif dotted == "jdbc.columns":
        rows = _jdbc_columns(ctx)
    elif dotted == "jdbc.types":
        rows = _jdbc_types()
    elif dotted == "metadata.catalogs":
        rows = [
            {"catalog_name": c.name, "connector_id": c.name, "connector_name": c.connector}
            for c in ctx.listing.catalogs()
        ]
    elif dotted == "metadata.table_comments":
        rows = [
            {"catalog_name": t.catalog, "schema_name": t.schema, "table_name": t.name, "comment": t.comment}
            for c in _catalogs(ctx)
            for t in c.tables(lambda s: s != information_schema.INFORMATION_SCHEMA)
        ]
    elif dotted == "runtime.queries":
        rows = _queries(ctx)
    elif dotted == "runtime.nodes":
        rows = [
            {
                "node_id": "lakegate",
                "http_uri": ctx.node_uri,
                "node_version": ctx.version,
                "coordinator": True,
                "state": "active",
            }
        ]
    else:
        return schema.empty_table()
    return pa.Table.from_pylist(rows, schema=schema)
