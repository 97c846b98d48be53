"""The column-at-a-time JSON encoder against a value-by-value reference."""

from __future__ import annotations

import base64
import datetime as dt
import math
import random
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa
import pytest

from gateway.frontdoors.trino.encoding import EncodedRows, RowEncoder, encode_array


def rows_of(encoded: EncodedRows) -> list[list[Any]]:
    body = b"[" + bytes(encoded.rows(0, encoded.num_rows))[:-1] + b"]"
    decoded: list[list[Any]] = orjson.loads(body)
    return decoded


def reference(value: Any) -> Any:
    """How Trino's protocol writes one value (the slow, obvious way)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [reference(v) for v in value]
    if isinstance(value, dict):
        return [reference(v) for v in value.values()]
    raise TypeError(type(value))


def random_batch(rows: int, seed: int) -> pa.RecordBatch:
    rnd = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rnd.random() < 0.1 else value

    text = ["plain", 'quo"te', "back\\slash", "new\nline", "tab\t", "ünïcödé ✓", "", "\x01ctl", "/slash"]
    return pa.RecordBatch.from_pydict(
        {
            "i": pa.array([maybe(rnd.randint(-(2**62), 2**62)) for _ in range(rows)], pa.int64()),
            "f": pa.array(
                [
                    maybe(rnd.choice([rnd.uniform(-1e9, 1e9), float("nan"), float("inf"), -0.5]))
                    for _ in range(rows)
                ]
            ),
            "s": pa.array([maybe(rnd.choice(text) + str(rnd.random())) for _ in range(rows)], pa.string()),
            "d": pa.array(
                [maybe(Decimal(rnd.randint(-(10**12), 10**12)) / 100) for _ in range(rows)],
                pa.decimal128(15, 2),
            ),
            "day": pa.array(
                [maybe(dt.date(1, 1, 1) + dt.timedelta(days=rnd.randint(0, 3_000_000))) for _ in range(rows)]
            ),
            "ts": pa.array(
                [
                    maybe(dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=rnd.randint(0, 10**15)))
                    for _ in range(rows)
                ],
                pa.timestamp("us"),
            ),
            "b": pa.array([maybe(rnd.randbytes(rnd.randint(0, 8))) for _ in range(rows)], pa.binary()),
            "l": pa.array(
                [maybe([maybe(rnd.randint(0, 9)) for _ in range(rnd.randint(0, 3))]) for _ in range(rows)]
            ),
            "r": pa.array(
                [maybe({"a": maybe(rnd.randint(0, 9)), "b": maybe(rnd.choice(text))}) for _ in range(rows)],
                pa.struct([("a", pa.int32()), ("b", pa.string())]),
            ),
            "flag": pa.array([maybe(rnd.random() < 0.5) for _ in range(rows)]),
        }
    )


@pytest.mark.parametrize("seed", range(5))
def test_encoder_matches_the_reference(seed: int) -> None:
    batch = random_batch(500, seed)
    expected = [[reference(v) for v in row.values()] for row in batch.to_pylist()]
    actual = rows_of(RowEncoder()(batch))
    for want, got in zip(expected, actual, strict=True):
        for w, g in zip(want, got, strict=True):
            if isinstance(w, float):
                assert math.isclose(w, g, rel_tol=1e-15)
            else:
                assert w == g


def test_sliced_batches_encode_only_their_rows() -> None:
    batch = random_batch(300, 7)
    whole = rows_of(RowEncoder()(batch))
    for start, length in ((0, 1), (13, 100), (250, 50), (299, 1)):
        assert rows_of(RowEncoder()(batch.slice(start, length))) == whole[start : start + length]


def test_maps_have_string_keys_and_timestamps_their_zone() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "m": pa.array([[(1, "x"), (2, None)], None, []], pa.map_(pa.int32(), pa.string())),
            "tz": pa.array([dt.datetime(2024, 1, 31, 12, 0)] * 3, pa.timestamp("ms", tz="UTC")),
            "t": pa.array([dt.time(1, 2, 3, 4000)] * 3, pa.time64("us")),
            "u": pa.array([2**64 - 1, 0, None], pa.uint64()),
        }
    )
    rows = rows_of(RowEncoder("Europe/Paris")(batch))
    assert rows[0] == [
        {"1": "x", "2": None},
        "2024-01-31 13:00:00.000 Europe/Paris",
        "01:02:03.004000",
        "18446744073709551615",
    ]
    assert rows[1][0] is None
    assert rows[2][0] == {}
    assert rows_of(RowEncoder("Etc/UTC")(batch))[0][1] == "2024-01-31 12:00:00.000 UTC"


def test_pages_are_cut_at_row_boundaries() -> None:
    encoded = RowEncoder()(pa.RecordBatch.from_pydict({"s": ["x" * 10] * 100}))
    end = encoded.end_row(0, 100)
    assert 1 <= end < 100
    assert len(encoded.rows(0, end)) <= 100
    assert encoded.end_row(99, 1) == 100  # always at least one row
    assert len(encoded) == sum(len(encoded.rows(i, i + 1)) for i in range(100))


def test_large_string_columns() -> None:
    arr = pa.array(["a", None, 'b"'], pa.large_string())
    assert encode_array(arr).to_pylist() == ['"a"', "null", '"b\\""']
