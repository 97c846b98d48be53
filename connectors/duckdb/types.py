"""DuckDB type names in Trino's spelling, the lingua franca of Lakegate's metadata."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

_SIMPLE = {
    "VARCHAR": "varchar",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "DOUBLE": "double",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIME": "time(6)",
    "TIMESTAMP": "timestamp(6)",
    "TIMESTAMP_NS": "timestamp(9)",
    "TIMESTAMP_MS": "timestamp(3)",
    "TIMESTAMP_S": "timestamp(0)",
    "TIMESTAMP WITH TIME ZONE": "timestamp(6) with time zone",
    "BLOB": "varbinary",
    "UUID": "uuid",
    "JSON": "json",
    "INTERVAL": "interval day to second",
    "HUGEINT": "decimal(38,0)",
    "UBIGINT": "decimal(20,0)",
    "UINTEGER": "bigint",
    "USMALLINT": "integer",
    "UTINYINT": "smallint",
}


@lru_cache(maxsize=4096)
def trino_type(duckdb_type: str) -> str:
    simple = _SIMPLE.get(duckdb_type.upper())
    if simple:
        return simple
    try:
        built = exp.DataType.build(duckdb_type, dialect="duckdb")
    except Exception:
        return duckdb_type.lower()
    return _render(built)


def _render(dtype: exp.DataType) -> str:
    kind = dtype.this
    args = [e for e in dtype.expressions]
    if kind == exp.DataType.Type.ARRAY and args:
        return f"array({_render_any(args[0])})"
    if kind == exp.DataType.Type.MAP and len(args) == 2:
        return f"map({_render_any(args[0])}, {_render_any(args[1])})"
    if kind == exp.DataType.Type.STRUCT:
        fields = []
        for field in args:
            if isinstance(field, exp.ColumnDef):
                fields.append(f"{field.name} {_render_any(field.args['kind'])}")
        return f"row({', '.join(fields)})"
    if kind == exp.DataType.Type.DECIMAL:
        params = [p.sql() for p in args]
        return f"decimal({','.join(params) or '18,3'})"
    if kind == exp.DataType.Type.ENUM:
        return "varchar"
    return (
        trino_type(dtype.sql("duckdb"))
        if dtype.sql("duckdb").upper() in _SIMPLE
        else dtype.sql("trino").lower()
    )


def _render_any(node: exp.Expression) -> str:
    if isinstance(node, exp.DataType):
        return _render(node)
    return node.sql("trino").lower()
