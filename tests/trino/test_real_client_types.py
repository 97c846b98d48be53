"""Every column type through the real `trino` client: the Python values it maps them to."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.trino.conftest import Connect

TYPES_SQL = """
SELECT
    CAST(1 AS tinyint) AS t, CAST(2 AS smallint) AS s, 3 AS i, CAST(4 AS bigint) AS b,
    CAST(1.5 AS real) AS r, CAST(2.25 AS double) AS d, true AS flag,
    CAST('12345.67' AS decimal(12, 2)) AS dec, CAST('0.001' AS decimal(38, 3)) AS wide,
    'text with "quotes", \\backslash and ünïcode' AS v,
    DATE '2024-01-31' AS day,
    TIMESTAMP '2024-01-31 12:34:56.789123' AS ts,
    CAST(TIMESTAMP '2024-01-31 12:34:56.789' AS timestamp(3)) AS ts3,
    from_iso8601_timestamp('2024-01-31T12:34:56.789+01:00') AS tstz,
    TIME '12:34:56.789' AS clock,
    X'00FF10' AS bin,
    ARRAY[1, NULL, 3] AS arr,
    MAP(ARRAY['a', 'b'], ARRAY[1, 2]) AS m,
    CAST(ROW(1, 'x') AS ROW(id integer, name varchar)) AS rec,
    ARRAY[ARRAY['a'], ARRAY[]] AS nested
"""


def test_every_type_maps_to_its_python_value(connect: Connect) -> None:
    cursor = connect(timezone="UTC").cursor()
    cursor.execute(TYPES_SQL)
    row = cursor.fetchone()
    values = dict(zip([d[0] for d in cursor.description], row, strict=True))
    types = {d[0]: d[1] for d in cursor.description}
    expected = {
        "t": (1, "tinyint"),
        "s": (2, "smallint"),
        "i": (3, "integer"),
        "b": (4, "bigint"),
        "r": (1.5, "real"),
        "d": (2.25, "double"),
        "flag": (True, "boolean"),
        "dec": (Decimal("12345.67"), "decimal(12,2)"),
        "wide": (Decimal("0.001"), "decimal(38,3)"),
        "v": ('text with "quotes", \\backslash and ünïcode', "varchar"),
        "day": (dt.date(2024, 1, 31), "date"),
        "ts": (dt.datetime(2024, 1, 31, 12, 34, 56, 789123), "timestamp(6)"),
        "ts3": (dt.datetime(2024, 1, 31, 12, 34, 56, 789000), "timestamp(3)"),
        "tstz": (
            dt.datetime(2024, 1, 31, 11, 34, 56, 789000, tzinfo=ZoneInfo("UTC")),
            "timestamp(6) with time zone",
        ),
        "clock": (dt.time(12, 34, 56, 789000), "time(3)"),  # Trino: the literal's precision
        "bin": (b"\x00\xff\x10", "varbinary"),
        "arr": ([1, None, 3], "array(integer)"),
        "m": ({"a": 1, "b": 2}, "map(varchar, integer)"),
        "rec": ((1, "x"), "row(id integer, name varchar)"),
        "nested": ([["a"], []], "array(array(varchar))"),
    }
    for name, (value, type_name) in expected.items():
        assert values[name] == value, name
        assert types[name] == type_name, name
    assert values["rec"].id == 1
    assert values["rec"].name == "x"


def test_timestamps_with_time_zone_follow_the_client_zone(connect: Connect) -> None:
    cursor = connect(timezone="America/New_York").cursor()
    cursor.execute("SELECT from_iso8601_timestamp('2024-07-01T12:00:00Z') AS t")
    (value,) = cursor.fetchone()
    assert value == dt.datetime(2024, 7, 1, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    assert value.tzinfo == ZoneInfo("America/New_York")


def test_special_doubles_and_nulls(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute(
        "SELECT * FROM (VALUES (nan(), 1), (infinity(), NULL), (-infinity(), 3), (NULL, 4)) AS t(x, y) "
        "ORDER BY y NULLS LAST"
    )
    rows = cursor.fetchall()
    assert math.isnan(rows[0][0])
    assert rows[1] == [float("-inf"), 3]
    assert rows[2] == [None, 4]
    assert rows[3] == [float("inf"), None]


def test_nulls_of_every_type(connect: Connect) -> None:
    cursor = connect().cursor()
    columns = [
        "integer", "bigint", "double", "decimal(10,2)", "varchar", "date", "timestamp(6)", "varbinary",
        "boolean", "array(integer)", "map(varchar, integer)", "row(a integer)",
    ]  # fmt: skip
    cursor.execute("SELECT " + ", ".join(f"CAST(NULL AS {c}) AS c{i}" for i, c in enumerate(columns)))
    assert cursor.fetchone() == [None] * len(columns)
    assert [d[1] for d in cursor.description] == [
        "integer", "bigint", "double", "decimal(10,2)", "varchar", "date", "timestamp(6)", "varbinary",
        "boolean", "array(integer)", "map(varchar, integer)", "row(a integer)",
    ]  # fmt: skip


def test_lake_tables_of_every_format(connect: Connect) -> None:
    cursor = connect(catalog="lake", schema="shipping").cursor()
    for table in ("vessels", "ports", "voyages", "ais_positions", "port_calls"):
        cursor.execute(f"SELECT * FROM {table} LIMIT 50")
        rows = cursor.fetchall()
        assert rows, table
        assert len(rows[0]) == len(cursor.description)
