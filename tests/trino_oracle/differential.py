"""Differential runs: one statement on the real Trino and through Lakegate, and a verdict.

Each side's answer is an ``Answer``: column names, column types and rows, or an error. Lakegate
is asked through its two doors: the native API (``POST /v1/query`` in Trino's dialect, Arrow
stream) and the Trino front door (the real ``trino`` client). The verdict of one door:

- ``same``: Trino and Lakegate agree on names, types and values, or both refuse the statement
  with an error (Trino's error class is in the detail);
- ``refused``: Lakegate refuses clearly (``NOT_SUPPORTED``, ``FUNCTION_NOT_ALLOWED``) what Trino
  answers;
- ``error``: Lakegate fails with another error (the engine's words) where Trino answers;
- ``wrong``: Lakegate answers differently: other names, types or values, or an answer where
  Trino raises an error. This is the one that must never happen silently.

Values compare exactly (integers, decimals, strings, dates, ...). Doubles compare to 1e-12
relative (results of libm and Java's StrictMath may differ in the last bits), and a case may
carry a wider ``tolerance`` only where Trino documents an approximation (``approx_*``).
Types: the Trino door's type names must equal Trino's (``varchar(n)`` equals ``varchar``: a
literal's length is not a difference a client sees); the native API's Arrow types must equal
what Lakegate's own Trino connector makes of Trino's type (``connectors.trino.types``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import struct
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.ipc as ipc
import trino

from connectors.trino.types import arrow_type_of

ARROW = "application/vnd.apache.arrow.stream"
#: the ``trino`` client could not turn an answer's value into Python (``TrinoDataError``)
CLIENT_CANNOT_READ = "CLIENT_CANNOT_READ"
REFUSALS = {"NOT_SUPPORTED", "FUNCTION_NOT_ALLOWED", "STATEMENT_NOT_ALLOWED"}
DOUBLE_REL_TOL = 1e-12


@dataclass
class Answer:
    names: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # Trino type names, or Arrow types as text
    arrow_types: list[pa.DataType] | None = None
    rows: list[list[Any]] = field(default_factory=list)
    error: str | None = None  # Trino's errorName or Lakegate's problem code
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class Verdict:
    outcome: str  # same | refused | error | wrong
    detail: str = ""


def trino_connection(host: str, port: int, user: str, **kwargs: Any) -> trino.dbapi.Connection:
    kwargs.setdefault("catalog", "tpch")
    kwargs.setdefault("schema", "tiny")
    return trino.dbapi.connect(host=host, port=port, user=user, http_scheme="http", **kwargs)


#: how often a statement is tried again when the oracle's coordinator has momentarily lost sight
#: of its own worker node (NO_NODES_AVAILABLE on a busy 2-core machine): the oracle's hiccup, not
#: an answer
NO_NODES_ATTEMPTS = 40


def execute_retrying(cursor: trino.dbapi.Cursor, sql: str) -> list[Any]:
    """``cursor.execute(sql)`` and its rows, tried again while Trino says NO_NODES_AVAILABLE."""
    for attempt in range(NO_NODES_ATTEMPTS):
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        except trino.exceptions.TrinoQueryError as exc:
            if exc.error_name != "NO_NODES_AVAILABLE" or attempt == NO_NODES_ATTEMPTS - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def run_trino_client(connection: trino.dbapi.Connection, sql: str) -> Answer:
    """A statement through the real ``trino`` client (the real Trino, or Lakegate's Trino door)."""
    cursor = connection.cursor()
    try:
        rows = [list(row) for row in execute_retrying(cursor, sql)]
    except trino.exceptions.TrinoQueryError as exc:
        return Answer(error=str(exc.error_name), message=str(exc.message))
    except trino.exceptions.TrinoExternalError as exc:  # pragma: no cover - shown as an error
        return Answer(error="EXTERNAL", message=str(exc))
    except trino.exceptions.TrinoDataError as exc:
        # a value the client cannot hold in Python (a date past year 9999, a longer timedelta)
        return Answer(error=CLIENT_CANNOT_READ, message=str(exc))
    description = cursor.description or []
    return Answer(
        names=[column[0] for column in description],
        types=[str(column[1]) for column in description],
        rows=rows,
    )


def run_native(client: httpx.Client, sql: str) -> Answer:
    """A statement through Lakegate's native API in Trino's dialect (Arrow stream)."""
    body = {"sql": sql, "catalog": "tpch", "schema": "tiny", "dialect": "trino"}
    received = bytearray()
    with client.stream("POST", "/v1/query", json=body, headers={"Accept": ARROW}) as response:
        try:
            for chunk in response.iter_bytes():
                received += chunk
        except httpx.RemoteProtocolError:
            # the answer failed after its first bytes: the stream's last message says why
            # (gateway/stream_errors.py); a clear error, as the client would raise it
            problem = _stream_error(bytes(received)) or {"code": "STREAM_ABORTED", "detail": ""}
            return Answer(error=str(problem.get("code")), message=str(problem.get("detail", "")))
    if response.status_code != 200:
        try:
            problem = json.loads(received)
        except ValueError:
            problem = {
                "code": f"HTTP_{response.status_code}",
                "detail": received[:200].decode(errors="replace"),
            }
        return Answer(error=str(problem.get("code")), message=str(problem.get("detail", "")))
    table = ipc.open_stream(io.BytesIO(bytes(received))).read_all()
    columns = [
        arrow_values(table.column(i).to_pylist(), table.schema.field(i).type)
        for i in range(table.num_columns)
    ]
    return Answer(
        names=list(table.schema.names),
        types=[str(t) for t in table.schema.types],
        arrow_types=list(table.schema.types),
        rows=[list(row) for row in zip(*columns, strict=True)] if columns else [],
    )


def _stream_error(data: bytes) -> dict[str, Any] | None:
    """The problem document of the error message that ends a failed Arrow stream, if any."""
    messages = ipc.MessageReader.open_stream(io.BytesIO(data))
    problem = None
    try:
        for message in messages:
            if message.type == "schema":
                schema = ipc.read_schema(message)
                raw = (schema.metadata or {}).get(b"lakegate.error")
                if raw is not None and len(schema) == 0:
                    problem = json.loads(raw)
    except (pa.ArrowException, OSError, ValueError):
        pass
    return problem if isinstance(problem, dict) else None


def arrow_values(values: list[Any], dtype: pa.DataType) -> list[Any]:
    """Arrow's Python values in the shapes the ``trino`` client gives (maps as dicts, rows as lists)."""
    return [_arrow_value(value, dtype) for value in values]


def _arrow_value(value: Any, dtype: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_map(dtype):
        return {_arrow_value(k, dtype.key_type): _arrow_value(v, dtype.item_type) for k, v in value}
    if pa.types.is_struct(dtype):
        return [
            _arrow_value(value[dtype.field(i).name], dtype.field(i).type) for i in range(dtype.num_fields)
        ]
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return [_arrow_value(item, dtype.value_type) for item in value]
    return value


def _same_type_name(oracle: str, other: str) -> bool:
    def normal(text: str) -> str:
        return re.sub(r"varchar\(\d+\)", "varchar", text.replace(" ", "").lower())

    return normal(oracle) == normal(other)


def _plain(dtype: pa.DataType) -> pa.DataType:
    """The type without the names Arrow gives list items (``item``, ``l``, ``element``)."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return pa.list_(_plain(dtype.value_type))
    if pa.types.is_map(dtype):
        return pa.map_(_plain(dtype.key_type), _plain(dtype.item_type))
    if pa.types.is_struct(dtype):
        return pa.struct([pa.field(f.name, _plain(f.type)) for f in dtype])
    return dtype


def _expected_arrow(type_name: str) -> pa.DataType | None:
    try:
        return arrow_type_of(type_name)
    except Exception:  # a type Lakegate's connector cannot read: nothing to compare against
        return None


def same_value(expected: Any, actual: Any, tolerance: float = 0.0) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, float) and isinstance(actual, int | float | Decimal):
        actual = float(actual)
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(expected, actual, rel_tol=max(tolerance, DOUBLE_REL_TOL), abs_tol=0.0)
    if isinstance(expected, int | Decimal) and tolerance and isinstance(actual, int | float | Decimal):
        return math.isclose(float(expected), float(actual), rel_tol=tolerance)
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return expected == actual and expected.as_tuple().exponent == actual.as_tuple().exponent
    if isinstance(expected, list | tuple) and isinstance(actual, list | tuple):
        return len(expected) == len(actual) and all(
            same_value(e, a, tolerance) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same_value(expected[k], actual[k], tolerance) for k in expected
        )
    if isinstance(expected, dt.datetime) and isinstance(actual, dt.datetime):
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            return False
        return expected == actual
    if type(expected) is not type(actual) and not (isinstance(expected, int) and isinstance(actual, int)):
        return False
    return bool(expected == actual)


def _sort_key(row: list[Any]) -> str:
    """Rows in a stable order; a zoned timestamp by its instant (it compares by instant)."""
    return repr([v.astimezone(dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo else v for v in row])


def _rows_equal(expected: list[list[Any]], actual: list[list[Any]], tolerance: float, ordered: bool) -> bool:
    if len(expected) != len(actual):
        return False
    if not ordered:
        expected, actual = sorted(expected, key=_sort_key), sorted(actual, key=_sort_key)
    return all(same_value(e, a, tolerance) for e, a in zip(expected, actual, strict=True))


def _keys_in_sequence(
    expected: list[list[Any]], actual: list[list[Any]], keys: tuple[int, ...], tolerance: float
) -> bool:
    """The rows' ORDER BY keys come in the same sequence (rows tied on them may be in any order)."""
    return all(
        same_value([e[k] for k in keys], [a[k] for k in keys], tolerance)
        for e, a in zip(expected, actual, strict=True)
    )


def _refused(answer: Answer) -> bool:
    if answer.error in REFUSALS:
        return True
    # the Trino door reports FUNCTION_NOT_ALLOWED as Trino's PERMISSION_DENIED
    return answer.error == "PERMISSION_DENIED" and "not allowed" in answer.message


def judge(
    oracle: Answer,
    other: Answer,
    *,
    tolerance: float = 0.0,
    ordered: bool = True,
    order_keys: tuple[int, ...] = (),
    native: bool = False,
) -> Verdict:
    """The verdict of one door's answer against Trino's."""
    if oracle.failed:
        if other.failed:
            return Verdict("same", f"both error (Trino: {oracle.error})")
        return Verdict("wrong", f"answers where Trino fails with {oracle.error}: {oracle.message[:120]}")
    if other.failed:
        if _refused(other):
            return Verdict("refused", f"{other.error}: {other.message[:160]}")
        return Verdict("error", f"{other.error}: {other.message[:160]}")
    problems = []
    if oracle.names != other.names:
        problems.append(f"names {other.names} (Trino: {oracle.names})")
    if len(oracle.types) != len(other.types):
        problems.append(f"{len(other.types)} columns (Trino: {len(oracle.types)})")
    elif native:
        assert other.arrow_types is not None
        expected = [_expected_arrow(t) for t in oracle.types]
        for name, want, got, trino_type in zip(
            oracle.names, expected, other.arrow_types, oracle.types, strict=True
        ):
            if want is not None and _plain(want) != _plain(got):
                problems.append(f"type of {name}: {got} (Trino: {trino_type}, as Arrow {want})")
    else:
        for name, want, got in zip(oracle.names, oracle.types, other.types, strict=True):
            if not _same_type_name(want, got):
                problems.append(f"type of {name}: {got} (Trino: {want})")
    expected_rows = _as_arrow_values(oracle) if native else oracle.rows
    if not _rows_equal(expected_rows, other.rows, tolerance, ordered):
        problems.append(f"values {_short(other.rows)} (Trino: {_short(oracle.rows)})")
    elif order_keys and not _keys_in_sequence(expected_rows, other.rows, order_keys, tolerance):
        problems.append(
            f"order of columns {list(order_keys)}: {_short(other.rows)} (Trino: {_short(oracle.rows)})"
        )
    return Verdict("wrong", "; ".join(problems)) if problems else Verdict("same")


def _as_arrow_values(oracle: Answer) -> list[list[Any]]:
    """Trino's values as Lakegate's Trino connector puts them in Arrow (what the native API
    promises): a ``real`` is a 32-bit float (the client reads Trino's shortest text as a double),
    ``uuid``, ``ipaddress`` and ``interval year to month`` are Trino's text."""
    converters = [_ARROW_VALUE.get(t.split("(")[0].strip().lower()) for t in oracle.types]
    if not any(converters):
        return oracle.rows
    return [
        [
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        ]
        for row in oracle.rows
    ]


def _year_month(value: Any) -> str:
    months = value.years * 12 + value.months
    sign = "-" if months < 0 else ""
    return f"{sign}{abs(months) // 12}-{abs(months) % 12}"


_ARROW_VALUE: dict[str, Any] = {
    "real": lambda v: struct.unpack("f", struct.pack("f", v))[0] if isinstance(v, float) else v,
    "uuid": str,
    "ipaddress": str,
    "interval year to month": _year_month,
}


def _short(rows: list[list[Any]]) -> str:
    text = repr(rows[:3]) + (f" … {len(rows)} rows" if len(rows) > 3 else "")
    return text if len(text) <= 200 else text[:200] + "…"
