"""Metadata through the real `trino` client: SHOW, DESCRIBE, USE, information_schema, system.jdbc,
and the exact SQL the Trino SQLAlchemy dialect sends (plus SQLAlchemy and pandas themselves)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import trino

from tests.conftest import server_missing
from tests.e2e.superset_env import VENV as SUPERSET_VENV
from tests.server import LiveServer
from tests.trino.conftest import Connect, host_port


def rows(
    connection: trino.dbapi.Connection, sql: str, params: tuple[object, ...] | None = None
) -> list[list[object]]:
    cursor = connection.cursor()
    cursor.execute(sql, params)
    return cursor.fetchall()


def test_show_statements(connect: Connect) -> None:
    connection = connect()
    assert ["tpch"] in rows(connection, "SHOW CATALOGS")
    assert ["tiny"] in rows(connection, "SHOW SCHEMAS FROM tpch")
    assert ["nation"] in rows(connection, "SHOW TABLES")
    assert rows(connection, "SHOW TABLES LIKE 'nat%'") == [["nation"]]
    columns = rows(connection, "SHOW COLUMNS FROM nation")
    assert [c[0] for c in columns] == ["n_nationkey", "n_name", "n_regionkey", "n_comment"]
    assert rows(connection, "DESCRIBE tpch.tiny.region")[0][:2] == ["r_regionkey", "integer"]


def test_use_changes_the_client_session(connect: Connect) -> None:
    connection = connect(catalog="lake", schema="shipping")
    cursor = connection.cursor()
    cursor.execute("USE tpch.tiny")
    assert cursor.fetchall() == [[True]]  # as Trino answers a statement without output
    assert connection._client_session.catalog == "tpch"
    assert connection._client_session.schema == "tiny"
    assert rows(connection, "SELECT count(*) FROM region") == [[5]]
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("USE tpch.no_such_schema")
    assert raised.value.error_name == "SCHEMA_NOT_FOUND"


def test_set_and_reset_session(connect: Connect) -> None:
    connection = connect()
    rows(connection, "SET SESSION query_max_run_time = '10m'")
    assert connection._client_session.properties == {"query_max_run_time": "10m"}
    assert rows(connection, "SHOW SESSION LIKE 'query%'")[0][:2] == ["query_max_run_time", "10m"]
    rows(connection, "RESET SESSION query_max_run_time")
    assert connection._client_session.properties == {}


def test_transactions_are_accepted(connect: Connect) -> None:
    connection = connect(isolation_level=trino.transaction.IsolationLevel.READ_COMMITTED)
    cursor = connection.cursor()
    cursor.execute("SELECT count(*) FROM nation")
    assert cursor.fetchall() == [[25]]
    assert connection.transaction is not None
    connection.commit()
    assert connection.transaction is None
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        connect().cursor().execute("COMMIT")  # autocommit: no transaction to end
    assert raised.value.error_name == "NOT_IN_TRANSACTION"


def test_information_schema(connect: Connect) -> None:
    connection = connect()
    schemata = rows(connection, 'SELECT "schema_name" FROM "information_schema"."schemata" ORDER BY 1')
    assert ["tiny"] in schemata
    assert ["information_schema"] in schemata
    tables = rows(
        connection,
        'SELECT "table_name" FROM "information_schema"."tables" WHERE "table_schema" = ? AND '
        "\"table_type\" = 'BASE TABLE' ORDER BY 1",
        ("tiny",),
    )
    assert ["lineitem"] in tables
    assert ["nation"] in tables
    columns = rows(
        connection,
        "SELECT table_catalog, column_name, ordinal_position, data_type, is_nullable "
        "FROM lake.information_schema.columns WHERE table_schema = 'shipping' AND table_name = 'vessels' "
        "ORDER BY ordinal_position",
    )
    assert columns[0][:3] == ["lake", "vessel_id", 1]
    assert all(c[4] in ("YES", "NO") for c in columns)
    joined = rows(
        connection,
        "SELECT t.table_name, count(*) FROM information_schema.tables t "
        "JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
        "WHERE t.table_schema = 'tiny' GROUP BY 1 ORDER BY 1 LIMIT 2",
    )
    assert joined == [["customer", 8], ["lineitem", 16]]


def test_metadata_queries_cannot_read_catalog_tables(connect: Connect) -> None:
    cursor = connect().cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT * FROM information_schema.tables, nation")
    assert "separately" in raised.value.message
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT * FROM information_schema.no_such_table")
    assert raised.value.error_name == "TABLE_NOT_FOUND"
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:
        cursor.execute("SELECT * FROM information_schema.tables WHERE table_name = read_text('/etc/passwd')")
    assert raised.value.error_name == "PERMISSION_DENIED"


def test_listings_follow_the_policies(connect: Connect) -> None:
    eve = connect("eve")
    assert rows(eve, "SELECT * FROM system.jdbc.catalogs") == []
    assert rows(eve, "SELECT * FROM system.jdbc.tables") == []
    with pytest.raises(trino.exceptions.TrinoUserError) as raised:  # a catalog eve may not see
        rows(eve, "SELECT count(*) FROM tpch.information_schema.tables")
    assert raised.value.error_name == "CATALOG_NOT_FOUND"
    ada = connect("ada")
    assert ["tpch"] in rows(ada, "SELECT table_cat FROM system.jdbc.catalogs")


def test_jdbc_tables(connect: Connect) -> None:
    connection = connect()
    assert rows(connection, "SELECT * FROM system.jdbc.table_types ORDER BY 1") == [["TABLE"], ["VIEW"]]
    tables = rows(
        connection,
        "SELECT TABLE_CAT, TABLE_SCHEM, TABLE_NAME, TABLE_TYPE FROM system.jdbc.tables "
        "WHERE TABLE_CAT = 'tpch' AND TABLE_SCHEM LIKE 'ti%' ESCAPE '\\' AND TABLE_NAME LIKE '%' ESCAPE '\\' "
        "AND TABLE_TYPE IN ('TABLE', 'VIEW') ORDER BY TABLE_TYPE, TABLE_CAT, TABLE_SCHEM, TABLE_NAME",
    )
    assert ["tpch", "tiny", "nation", "TABLE"] in tables
    columns = rows(
        connection,
        "SELECT COLUMN_NAME, DATA_TYPE, TYPE_NAME, COLUMN_SIZE, DECIMAL_DIGITS FROM system.jdbc.columns "
        "WHERE TABLE_CAT = 'tpch' AND TABLE_SCHEM = 'tiny' AND TABLE_NAME = 'lineitem' ORDER BY ORDINAL_POSITION",
    )
    by_name = {c[0]: c[1:] for c in columns}
    assert by_name["l_orderkey"][0] == -5  # java.sql.Types.BIGINT
    assert by_name["l_quantity"][0] == 3  # DECIMAL
    assert by_name["l_shipdate"][0] == 91  # DATE
    assert rows(connection, "SELECT type_name FROM system.jdbc.types WHERE type_name = 'bigint'") == [
        ["bigint"]
    ]
    for empty in ("procedures", "procedure_columns", "udts", "super_types", "super_tables", "attributes"):
        cursor = connection.cursor()
        cursor.execute(f"SELECT * FROM system.jdbc.{empty} LIMIT 0")
        assert cursor.fetchall() == []
        assert cursor.description


def test_runtime_queries_shows_only_the_callers_queries(connect: Connect) -> None:
    ada, sam = connect("ada"), connect("sam")
    rows(ada, "SELECT 'ada was here'")
    rows(sam, "SELECT 'sam was here'")
    mine = rows(sam, "SELECT user, query, state FROM system.runtime.queries")
    assert {r[0] for r in mine} == {"sam"}
    assert any("sam was here" in r[1] and r[2] == "FINISHED" for r in mine)
    assert not any("ada was here" in r[1] for r in mine)


def test_the_sqlalchemy_dialects_queries(connect: Connect) -> None:
    """The SQL trino.sqlalchemy's inspector sends, through the client (parameters included)."""
    connection = connect()
    assert ["tiny"] in rows(connection, 'SELECT "schema_name"\nFROM "information_schema"."schemata"')
    assert rows(connection, 'SELECT "table_name" FROM "information_schema"."tables" WHERE "table_schema" = ? '
                "AND \"table_name\" = ?", ("tiny", "nation")) == [["nation"]]  # fmt: skip
    columns = rows(
        connection,
        'SELECT "column_name", "data_type", "column_default", UPPER("is_nullable") AS "is_nullable", "comment" '
        'FROM "information_schema"."columns" WHERE "table_schema" = ? AND "table_name" = ? '
        'ORDER BY "ordinal_position" ASC',
        ("tiny", "nation"),
    )
    assert columns[0][:2] == ["n_nationkey", "integer"]
    views = rows(
        connection,
        'SELECT "table_name" FROM "information_schema"."tables" WHERE "table_schema" = ? AND "table_type" = \'VIEW\'',
        ("tiny",),
    )
    assert views == []
    comment = rows(
        connection,
        'SELECT "comment" FROM "system"."metadata"."table_comments" WHERE "catalog_name" = ? '
        'AND "schema_name" = ? AND "table_name" = ?',
        ("lake", "shipping", "vessels"),
    )
    assert comment[0][0]
    assert ["tpch"] in rows(connection, 'SELECT "table_cat" FROM "system"."jdbc"."catalogs"')


def test_pandas_reads_through_the_dbapi_connection(connect: Connect) -> None:
    with pytest.warns(UserWarning, match="SQLAlchemy"):
        frame = pd.read_sql("SELECT n_name, n_regionkey FROM nation ORDER BY n_nationkey", connect())
    assert list(frame.columns) == ["n_name", "n_regionkey"]
    assert len(frame) == 25


def test_sqlalchemy_inspector_and_pandas(server: LiveServer) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    host, port = host_port(server.url)
    engine = sqlalchemy.create_engine(f"trino://ada@{host}:{port}/tpch")
    try:
        inspector = sqlalchemy.inspect(engine)
        assert "tiny" in inspector.get_schema_names()
        assert "nation" in inspector.get_table_names(schema="tiny")
        assert inspector.get_view_names(schema="tiny") == []
        assert inspector.has_table("nation", schema="tiny")
        assert not inspector.has_table("no_such_table", schema="tiny")
        columns = inspector.get_columns("nation", schema="tiny")
        assert [c["name"] for c in columns] == ["n_nationkey", "n_name", "n_regionkey", "n_comment"]
        assert "text" in inspector.get_table_comment("nation", schema="tiny")
        frame = pd.read_sql("SELECT n_name FROM tiny.nation ORDER BY n_nationkey", engine)
        assert frame["n_name"][0] == "ALGERIA"
    finally:
        engine.dispose()


PROBE = Path(__file__).with_name("sqlalchemy_probe.py")
SUPERSET_PYTHON = SUPERSET_VENV / "bin" / "python"


def test_sqlalchemy_dialect_in_a_virtualenv_that_has_it(server: LiveServer) -> None:
    """This project's virtualenv has no SQLAlchemy; Superset's (tests/e2e) has 1.4 with the same
    trino client, so the real dialect runs there, against this live server."""
    if not SUPERSET_PYTHON.exists():
        server_missing(f"no virtualenv with SQLAlchemy ({SUPERSET_VENV}): run `make e2e-superset` once")
    host, port = host_port(server.url)
    done = subprocess.run(
        [str(SUPERSET_PYTHON), str(PROBE), host, str(port)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "tiny" in result["schemas"]
    assert "information_schema" in result["schemas"]
    assert "nation" in result["tables"]
    assert result["views"] == []
    assert result["has_nation"] is True
    assert result["has_nope"] is False
    assert result["columns"] == [
        ["n_nationkey", "INTEGER"],
        ["n_name", "VARCHAR"],
        ["n_regionkey", "INTEGER"],
        ["n_comment", "VARCHAR"],
    ]
    assert result["lake_comment"].startswith("The fleet")
    assert "tpch" in result["catalogs"]
    assert result["version"][0].split("-")[0].isdigit()
    assert result["frame"]["n_name"][:2] == ["ALGERIA", "ARGENTINA"]
    assert result["bound"] == ["CANADA"]


def test_columns_one_may_not_see_are_not_listed(connect: Connect) -> None:
    sam, root = connect("sam", catalog="crm", schema="main"), connect("root", catalog="crm", schema="main")
    query = "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'"
    jdbc = "SELECT column_name FROM system.jdbc.columns WHERE table_cat = 'crm' AND table_name = 'customers'"
    assert ["national_id"] in rows(root, query)
    assert ["national_id"] in rows(root, jdbc)
    assert ["national_id"] not in rows(sam, query)
    assert ["national_id"] not in rows(sam, jdbc)
    assert ["customer_id"] in rows(sam, query)
    assert ["national_id"] not in [r[:1] for r in rows(sam, "DESCRIBE customers")]


def test_show_create_table_and_show_functions(connect: Connect) -> None:
    connection = connect(catalog="lake", schema="shipping")
    (text,) = rows(connection, "SHOW CREATE TABLE vessels")[0]
    assert text.startswith(
        "CREATE TABLE lake.shipping.vessels (\n   vessel_id bigint COMMENT 'Internal vessel"
    )
    assert text.rstrip().endswith("one row per ship.'")
    cursor = connection.cursor()
    cursor.execute("SHOW FUNCTIONS")
    listed = {row[0]: row for row in cursor.fetchall()}
    assert cursor.description[0][0] == "Function"
    assert listed["slice"][3] == "scalar"
    assert listed["map_agg"][3] == "aggregate"
    assert "zip_with" not in listed  # allowlisted, but the embedded engine cannot run it as Trino
    cursor.execute("SHOW FUNCTIONS LIKE 'url%'")
    assert {row[0] for row in cursor.fetchall()} == {n for n in listed if n.startswith("url")}
