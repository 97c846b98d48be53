"""EXPLAIN's answers, in Trino's shapes where Trino has one.

- ``EXPLAIN [(TYPE LOGICAL|DISTRIBUTED[, FORMAT TEXT])] q``: Lakegate's plan as text (the engine,
  the tables, the logical SQL), one row in a ``Query Plan`` column, as Trino answers;
- ``EXPLAIN (TYPE IO, FORMAT JSON) q``: Trino's IO plan document (``inputTableColumnInfos`` with
  each table read, and an ``estimate``) — what Superset's cost estimate asks for. Lakegate keeps no
  statistics, so estimates are ``"NaN"``, as Trino writes an unknown estimate;
- ``EXPLAIN (TYPE VALIDATE) q``: one row, ``Valid`` true (the query planned and was authorised).

Other options (``FORMAT GRAPHVIZ``, ``FORMAT JSON`` of a logical or distributed plan) are refused
with NOT_SUPPORTED rather than answered in another shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pyarrow as pa

from gateway.errors import ErrorCode, LakegateError

_OPTION = re.compile(r"^\s*(TYPE|FORMAT)\s+(\w+)\s*$", re.I)
_TYPES = {"LOGICAL", "DISTRIBUTED", "IO", "VALIDATE"}
_FORMATS = {"TEXT", "JSON", "GRAPHVIZ"}
_UNKNOWN = "NaN"  # Trino's JSON for an estimate it does not have


def explain_options(text: str | None) -> tuple[str, str]:
    """(type, format) from ``TYPE x, FORMAT y``; defaults LOGICAL and TEXT."""
    kind, form = "LOGICAL", "TEXT"
    if text is None or not text.strip():
        return kind, form
    for part in text.split(","):
        match = _OPTION.match(part)
        if not match:
            raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"unknown EXPLAIN option: {part.strip()}")
        name, value = match.group(1).upper(), match.group(2).upper()
        if name == "TYPE":
            if value not in _TYPES:
                raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"unknown EXPLAIN type: {value}")
            kind = value
        else:
            if value not in _FORMATS:
                raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"unknown EXPLAIN format: {value}")
            form = value
    return kind, form


def _estimate() -> dict[str, object]:
    return {
        "outputRowCount": _UNKNOWN,
        "outputSizeInBytes": _UNKNOWN,
        "cpuCost": _UNKNOWN,
        "maxMemory": _UNKNOWN,
        "networkCost": _UNKNOWN,
    }


def io_plan(tables: Sequence[tuple[str, str, str]]) -> str:
    """Trino's ``EXPLAIN (TYPE IO, FORMAT JSON)`` document for a query reading ``tables``."""
    inputs = [
        {
            "table": {"catalog": catalog, "schemaTable": {"schema": schema, "table": table}},
            "constraint": {"none": False, "columnConstraints": []},
            "estimate": _estimate(),
        }
        for catalog, schema, table in dict.fromkeys(tables)
    ]
    return json.dumps({"inputTableColumnInfos": inputs, "estimate": _estimate()}, indent=2)


def explain_result(kind: str, form: str, text_plan: str, tables: Sequence[tuple[str, str, str]]) -> pa.Table:
    if kind == "VALIDATE":
        return pa.table({"Valid": pa.array([True], pa.bool_())})
    if kind == "IO":
        if form != "JSON":
            raise LakegateError(ErrorCode.NOT_SUPPORTED, "EXPLAIN (TYPE IO) is answered in FORMAT JSON only")
        return pa.table({"Query Plan": pa.array([io_plan(tables)], pa.string())})
    if form != "TEXT":
        raise LakegateError(
            ErrorCode.NOT_SUPPORTED,
            f"EXPLAIN (TYPE {kind}, FORMAT {form}) is not supported: Lakegate's plan is given as TEXT",
        )
    return pa.table({"Query Plan": pa.array([text_plan], pa.string())})
