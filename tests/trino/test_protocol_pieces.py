"""Headers, type signatures and parameter binding, checked against the real client's parsers."""

from __future__ import annotations

import pyarrow as pa
import pytest
from requests.structures import CaseInsensitiveDict
from starlette.datastructures import Headers
from trino.client import get_header_values, get_prepared_statement_values, get_session_property_values

from gateway.errors import LakegateError
from gateway.frontdoors.trino import parameters
from gateway.frontdoors.trino.headers import (
    PRESTO,
    TRINO,
    HeaderError,
    SessionUpdates,
    detect_protocol,
    parse_session,
)
from gateway.frontdoors.trino.types import column, parse_type_text


def test_session_headers_are_parsed() -> None:
    headers = Headers(
        {
            "X-Trino-User": "ada",
            "X-Trino-Catalog": "tpch",
            "X-Trino-Schema": "tiny",
            "X-Trino-Session": "a=1,b.c=x%20y",
            "X-Trino-Client-Tags": "t1, t2",
            "X-Trino-Prepared-Statement": "st1=SELECT+%3F%2C+%27a%2Cb%27",
            "X-Trino-Transaction-Id": "NONE",
            "X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME",
        }
    )
    session = parse_session(headers, TRINO)
    assert (session.user, session.catalog, session.schema) == ("ada", "tpch", "tiny")
    assert session.properties == {"a": "1", "b.c": "x y"}
    assert session.client_tags == ("t1", "t2")
    assert session.prepared_statements == {"st1": "SELECT ?, 'a,b'"}
    assert session.transaction_id is None
    assert "PARAMETRIC_DATETIME" in session.client_capabilities


def test_protocol_prefixes() -> None:
    assert detect_protocol(["x-trino-user"]) is TRINO
    assert detect_protocol(["X-Presto-User", "Accept"]) is PRESTO
    with pytest.raises(HeaderError):
        detect_protocol(["X-Presto-User", "X-Trino-Catalog"])


def test_response_headers_read_back_by_the_real_client() -> None:
    updates = SessionUpdates(
        set_session={"query_max_run_time": "10 m", "x": "a,b=c"},
        added_prepare={"st_1": "SELECT ?, 'a,b' WHERE x = 1"},
        deallocated_prepare=["st_0"],
    )
    lines: dict[str, list[str]] = {}
    for name, value in updates.headers(TRINO):
        lines.setdefault(name, []).append(value)
    # requests joins repeated header lines with ", "
    headers = CaseInsensitiveDict({name: ", ".join(values) for name, values in lines.items()})
    assert dict(get_session_property_values(headers, "X-Trino-Set-Session")) == {
        "query_max_run_time": "10 m",
        "x": "a,b=c",
    }
    assert dict(get_prepared_statement_values(headers, "X-Trino-Added-Prepare")) == {
        "st_1": "SELECT ?, 'a,b' WHERE x = 1"
    }
    assert get_header_values(headers, "X-Trino-Deallocated-Prepare") == ["st_0"]


@pytest.mark.parametrize(
    ("dtype", "display", "raw", "arguments"),
    [
        (pa.string(), "varchar", "varchar", [{"kind": "LONG", "value": 2147483647}]),
        (
            pa.decimal128(12, 2),
            "decimal(12,2)",
            "decimal",
            [{"kind": "LONG", "value": 12}, {"kind": "LONG", "value": 2}],
        ),
        (pa.timestamp("us"), "timestamp(6)", "timestamp", [{"kind": "LONG", "value": 6}]),
        (
            pa.timestamp("ms", tz="UTC"),
            "timestamp(3) with time zone",
            "timestamp with time zone",
            [{"kind": "LONG", "value": 3}],
        ),
        (pa.time64("us"), "time(6)", "time", [{"kind": "LONG", "value": 6}]),
        (pa.date32(), "date", "date", []),
        (pa.binary(), "varbinary", "varbinary", []),
        (
            pa.uint64(),
            "decimal(20,0)",
            "decimal",
            [{"kind": "LONG", "value": 20}, {"kind": "LONG", "value": 0}],
        ),
    ],
)
def test_type_signatures(dtype: pa.DataType, display: str, raw: str, arguments: list[object]) -> None:
    described = column("c", dtype)
    assert described["type"] == display
    assert described["typeSignature"] == {"rawType": raw, "arguments": arguments}


def test_nested_type_signatures() -> None:
    dtype = pa.struct(
        [("id", pa.int32()), ("tags", pa.list_(pa.string())), ("m", pa.map_(pa.string(), pa.float64()))]
    )
    described = column("r", dtype)
    assert described["type"] == "row(id integer, tags array(varchar), m map(varchar, double))"
    fields = described["typeSignature"]["arguments"]
    assert [f["kind"] for f in fields] == ["NAMED_TYPE"] * 3
    assert fields[0]["value"]["fieldName"] == {"name": "id"}
    tags = fields[1]["value"]["typeSignature"]
    assert tags["rawType"] == "array"
    assert tags["arguments"][0]["kind"] == "TYPE"
    assert tags["arguments"][0]["value"]["rawType"] == "varchar"


def test_type_text() -> None:
    assert parse_type_text("decimal(15,2)") == ("decimal", ["15", "2"])
    assert parse_type_text("timestamp(3) with time zone") == ("timestamp with time zone", ["3"])
    assert parse_type_text("map(varchar, array(integer))") == ("map", ["varchar", "array(integer)"])
    assert parse_type_text("varchar") == ("varchar", [])


def test_parameters_bind_in_text_order_as_literals() -> None:
    sql = "WITH c AS (SELECT ? AS a) SELECT '?', a FROM c WHERE a = ? -- ?\nLIMIT ?"
    tree = parameters.bind(sql, parameters.parse_parameters("'x'' OR 1=1 --', 2, 3"))
    text = tree.sql(dialect="trino")
    assert text.index("'x'' OR 1=1 --'") < text.index("= 2") < text.index("LIMIT 3")
    assert "'?'" in text


def test_parameter_mismatches_and_non_constants_are_refused() -> None:
    with pytest.raises(LakegateError, match="expected 2 but found 1"):
        parameters.bind("SELECT ?, ?", parameters.parse_parameters("1"))
    for bad in ("(SELECT secret FROM t)", "some_column", "1 FROM t", "*"):
        with pytest.raises(LakegateError):
            parameters.parse_parameters(bad)
