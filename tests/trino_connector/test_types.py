"""Trino type strings and raw JSON values to Arrow, column by column (no cluster needed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from connectors.trino.types import arrow_type_of, parse_type, record_batch, to_arrow


@pytest.mark.parametrize(
    ("trino", "arrow"),
    [
        ("boolean", pa.bool_()),
        ("tinyint", pa.int8()),
        ("smallint", pa.int16()),
        ("integer", pa.int32()),
        ("bigint", pa.int64()),
        ("real", pa.float32()),
        ("double", pa.float64()),
        ("decimal(12,2)", pa.decimal128(12, 2)),
        ("decimal(10)", pa.decimal128(10, 0)),
        ("varchar", pa.string()),
        ("varchar(10)", pa.string()),
        ("char(3)", pa.string()),
        ("varbinary", pa.binary()),
        ("date", pa.date32()),
        ("time(3)", pa.time32("ms")),
        ("time(6)", pa.time64("us")),
        ("timestamp(0)", pa.timestamp("s")),
        ("timestamp(3)", pa.timestamp("ms")),
        ("timestamp(6)", pa.timestamp("us")),
        ("timestamp(12)", pa.timestamp("ns")),
        ("timestamp(3) with time zone", pa.timestamp("ms", tz="UTC")),
        ("interval day to second", pa.duration("ms")),
        ("interval year to month", pa.string()),
        ("json", pa.string()),
        ("uuid", pa.string()),
        ("unknown", pa.null()),
        ("array(bigint)", pa.list_(pa.int64())),
        ("map(varchar, array(double))", pa.map_(pa.string(), pa.list_(pa.float64()))),
        ("row(a bigint, b varchar(10))", pa.struct([("a", pa.int64()), ("b", pa.string())])),
        (
            'row("my field" date, t timestamp(3) with time zone)',
            pa.struct([("my field", pa.date32()), ("t", pa.timestamp("ms", tz="UTC"))]),
        ),
        ("row(interval day to second, bigint)", pa.struct([("_0", pa.duration("ms")), ("_1", pa.int64())])),
        ("HyperLogLog", pa.string()),
        ("no(such", pa.string()),
    ],
)
def test_trino_types_become_arrow_types(trino: str, arrow: pa.DataType) -> None:
    assert arrow_type_of(trino) == arrow


@pytest.mark.parametrize(
    ("trino", "values", "expected"),
    [
        (
            "double",
            [1.5, "NaN", None, "Infinity", "-Infinity", 2],
            [1.5, "nan", None, float("inf"), float("-inf"), 2.0],
        ),
        ("decimal(12,2)", ["1.50", "-0.25", None], [Decimal("1.50"), Decimal("-0.25"), None]),
        ("date", ["2024-01-31", None], [dt.date(2024, 1, 31), None]),
        (
            "timestamp(6)",
            ["2024-01-31 12:34:56.123456", None],
            [dt.datetime(2024, 1, 31, 12, 34, 56, 123456), None],
        ),
        (
            "timestamp(3) with time zone",
            ["2024-01-31 12:00:00.000 UTC", "2024-01-31 12:00:00.000 +05:30"],
            [dt.datetime(2024, 1, 31, 12, tzinfo=dt.UTC), dt.datetime(2024, 1, 31, 6, 30, tzinfo=dt.UTC)],
        ),
        (
            "timestamp(3) with time zone",
            ["2024-01-31 12:00:00.250 Europe/Paris"],
            [dt.datetime(2024, 1, 31, 11, 0, 0, 250000, tzinfo=dt.UTC)],
        ),
        ("time(3)", ["12:34:56.789"], [dt.time(12, 34, 56, 789000)]),
        ("varbinary", ["AQI=", None], [b"\x01\x02", None]),
        (
            "interval day to second",
            ["2 03:04:05.678", "-1 00:00:00.000"],
            [dt.timedelta(days=2, hours=3, minutes=4, seconds=5.678), dt.timedelta(days=-1)],
        ),
        ("array(date)", [["2024-01-01", None], None, []], [[dt.date(2024, 1, 1), None], None, []]),
        ("map(bigint, decimal(4,1))", [{"1": "2.5"}, None], [[(1, Decimal("2.5"))], None]),
        ("row(a integer, b array(double))", [[1, [0.5, "NaN"]], None], [{"a": 1, "b": [0.5, "nan"]}, None]),
        ("unknown", [None, None], [None, None]),
        ("json", ['{"a": 1}', None], ['{"a": 1}', None]),
    ],
)
def test_raw_values_become_arrow_values(trino: str, values: list[Any], expected: list[Any]) -> None:
    converted = to_arrow(values, parse_type(trino))
    assert converted.type == arrow_type_of(trino)
    assert _comparable(converted.to_pylist()) == _comparable(expected)


def _comparable(value: Any) -> Any:
    """NaN as text, so that lists holding it compare equal."""
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value


def test_a_page_of_rows_becomes_one_batch_column_by_column() -> None:
    types = [parse_type("bigint"), parse_type("varchar"), parse_type("array(bigint)")]
    schema = pa.schema([("id", pa.int64()), ("name", pa.string()), ("arr", pa.list_(pa.int64()))])
    batch = record_batch([[1, "a", [1]], [2, None, None]], types, schema)
    assert batch.schema == schema
    assert batch.to_pylist() == [{"id": 1, "name": "a", "arr": [1]}, {"id": 2, "name": None, "arr": None}]
