"""Queries through the real `trino` Python client: rows, descriptions, parameters, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
import trino

from tests.server import LiveServer
from tests.trino.conftest import Connect


def test_select_one_and_version(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute("SELECT 1")
    assert cursor.fetchone() == [1]
    assert cursor.fetchone() is None
    assert cursor.description[0][0] == "_col0"
    assert cursor.description[0][1] == "integer"
    cursor.execute("SELECT version()")
    (version,) = cursor.fetchone()
    assert version.split("-")[0].isdigit()


def test_fetchall_and_description(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute("SELECT n_nationkey, n_name, n_regionkey FROM nation ORDER BY n_nationkey")
    rows = cursor.fetchall()
    assert len(rows) == 25
    assert rows[0] == [0, "ALGERIA", 0]
    names = [d[0] for d in cursor.description]
    assert names == ["n_nationkey", "n_name", "n_regionkey"]
    assert cursor.description[1][1] == "varchar"
    assert cursor.description[1][3] == 2147483647  # unbounded varchar: LONG argument


def test_unaliased_expressions_are_named_as_trino_names_them(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute("SELECT count(*), n_regionkey, max(n_name) AS last FROM nation GROUP BY 2 ORDER BY 2")
    assert [d[0] for d in cursor.description] == ["_col0", "n_regionkey", "last"]
    assert cursor.fetchall()[0] == [5, 0, "MOZAMBIQUE"]


def test_session_functions(connect: Connect) -> None:
    cursor = connect("ada", catalog="tpch", schema="tiny").cursor()
    cursor.execute("SELECT current_user, current_catalog, current_schema")
    assert cursor.fetchone() == ["ada", "tpch", "tiny"]


def test_a_large_result_arrives_in_many_pages(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute("SELECT l_orderkey, l_linenumber, l_comment FROM lineitem ORDER BY 1, 2")
    rows = cursor.fetchall()
    assert len(rows) == 60175
    assert rows[0][:2] == [1, 1]
    assert rows[-1][:2] == [60000, 2] or rows[-1][0] >= rows[0][0]
    keys = [(r[0], r[1]) for r in rows]
    assert keys == sorted(keys)


def test_parameters_through_execute_immediate(connect: Connect) -> None:
    cursor = connect().cursor()
    cursor.execute(
        "SELECT n_name, ? AS label, ? AS number FROM nation WHERE n_nationkey = ? AND n_name LIKE ?",
        ("it's", 2.5, 3, "CAN%"),
    )
    assert cursor.fetchall() == [["CANADA", "it's", 2.5]]


def test_parameters_of_every_kind(connect: Connect) -> None:
    cursor = connect().cursor()
    values = (
        None,
        True,
        42,
        "a 'quoted' ? mark",
        Decimal("12.34"),
        dt.date(2024, 1, 31),
        dt.datetime(2024, 1, 31, 12, 34, 56, 789000),
        b"\x00\xff",
        float("inf"),
        [1, 2],
    )
    cursor.execute("SELECT " + ", ".join("?" for _ in values), values)
    row = cursor.fetchone()
    assert row[0] is None
    assert row[1] is True
    assert row[2] == 42
    assert row[3] == "a 'quoted' ? mark"
    assert row[4] == Decimal("12.34")
    assert row[5] == dt.date(2024, 1, 31)
    assert row[6] == dt.datetime(2024, 1, 31, 12, 34, 56, 789000)
    assert row[7] == b"\x00\xff"
    assert row[8] == float("inf")
    assert row[9] == [1, 2]


def test_legacy_prepared_statements(server: LiveServer, connect: Connect) -> None:
    connection = connect(legacy_prepared_statements=True)
    cursor = connection.cursor()
    cursor.execute("SELECT n_name FROM nation WHERE n_nationkey = ?", (7,))
    assert cursor.fetchall() == [["GERMANY"]]
    # PREPARE answered with Added-Prepare, DEALLOCATE with Deallocated-Prepare: nothing is left
    assert connection._client_session.prepared_statements == {}


def test_prepare_execute_describe_input_and_deallocate(connect: Connect) -> None:
    connection = connect()
    cursor = connection.cursor()
    cursor.execute("PREPARE by_key FROM SELECT n_name FROM nation WHERE n_nationkey = ? OR n_name = ?")
    cursor.fetchall()
    assert "by_key" in connection._client_session.prepared_statements
    cursor.execute("DESCRIBE INPUT by_key")
    assert cursor.fetchall() == [[0, "unknown"], [1, "unknown"]]
    cursor.execute("EXECUTE by_key USING 3, 'CHINA'")
    assert sorted(cursor.fetchall()) == [["CANADA"], ["CHINA"]]
    cursor.execute("DEALLOCATE PREPARE by_key")
    cursor.fetchall()
    assert connection._client_session.prepared_statements == {}
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("EXECUTE by_key USING 1, 'x'")
    assert raised.value.error_name == "NOT_FOUND"
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("EXECUTE IMMEDIATE 'SELECT ? + ?' USING 1")
    assert raised.value.error_name == "INVALID_PARAMETER_USAGE"


def test_describe_output_of_a_prepared_statement(connect: Connect) -> None:
    cursor = connect().cursor()
    described = cursor.describe("SELECT n_nationkey, upper(n_name) AS name FROM nation WHERE n_nationkey = ?")
    assert [(d.name, d.type, d.aliased) for d in described] == [
        ("n_nationkey", "integer", False),
        ("name", "varchar", True),
    ]


def user_error(cursor: trino.dbapi.Cursor, sql: str) -> trino.exceptions.TrinoUserError:
    try:
        cursor.execute(sql)
        cursor.fetchall()
    except trino.exceptions.TrinoUserError as error:
        return error
    raise AssertionError(f"no error for {sql}")


def test_user_errors_carry_trino_error_names(connect: Connect) -> None:
    cursor = connect("root").cursor()  # an admin: for others, what does not exist is not theirs
    cases = {
        "SELECT * FROM no_such_table": "TABLE_NOT_FOUND",
        "SELECT * FROM tpch.nope.nation": "SCHEMA_NOT_FOUND",
        "SELECT * FROM nope.tiny.nation": "CATALOG_NOT_FOUND",
        "SELECT no_such_column FROM nation": "COLUMN_NOT_FOUND",
        "SELEC 1": "SYNTAX_ERROR",
        "DROP TABLE nation": "NOT_SUPPORTED",
        "SELECT * FROM read_csv('/etc/passwd')": "PERMISSION_DENIED",
        "SELECT CAST('x' AS integer)": "INVALID_CAST_ARGUMENT",
    }
    for sql, name in cases.items():
        error = user_error(cursor, sql)
        assert error.error_name == name, sql
        assert error.query_id


def test_syntax_errors_have_a_location(connect: Connect) -> None:
    cursor = connect().cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT 1 FROM nation WHERE")
    assert raised.value.error_name == "SYNTAX_ERROR"
    assert raised.value.error_location[0] >= 1


def test_access_is_the_policies_to_decide(connect: Connect) -> None:
    cursor = connect("eve").cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT count(*) FROM nation")
    assert raised.value.error_name == "PERMISSION_DENIED"


def test_multiple_statements_are_a_syntax_error(connect: Connect) -> None:
    cursor = connect().cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT 1; SELECT 2")
    assert raised.value.error_name == "SYNTAX_ERROR"


@pytest.mark.parametrize(
    ("sql", "update_type"),
    [
        ("PREPARE q1 FROM SELECT 1", "PREPARE"),
        ("USE tpch.tiny", "USE"),
        ("SET SESSION query_max_run_time = '1h'", "SET SESSION"),
        ("START TRANSACTION", "START TRANSACTION"),
    ],
)
def test_a_statement_without_output_answers_trinos_result_column(
    trino_http: httpx.Client, sql: str, update_type: str
) -> None:
    """Trino answers a statement without output with one boolean column ``result`` = true; the
    JDBC driver reads a result set first and fails with "Query has no columns" without it."""
    document = trino_http.post("/v1/statement", content=sql).json()
    assert document["stats"]["state"] == "FINISHED"
    assert document["updateType"] == update_type
    assert [(c["name"], c["type"]) for c in document["columns"]] == [("result", "boolean")]
    assert document["data"] == [[True]]
    assert "nextUri" not in document
