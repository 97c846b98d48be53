"""Datasets in the metadata catalog (owner, SQL, column lineage, propagated tags that tag policies
follow, search) and through the Trino front door with the real `trino` client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pyarrow as pa
import pytest
import trino

from gateway.app import create_app
from gateway.config import parse_config
from gateway.demo import generate_demo
from tests.server import LiveServer
from tests.trino.conftest import real_trino_client
from tests.workspace import Sql, workspace_config_raw, workspace_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with workspace_server(tmp_path_factory.mktemp("datasets-catalog")) as server:
        yield server


@pytest.fixture(scope="module")
def sql(live: LiveServer) -> Iterator[Sql]:
    with httpx.Client(base_url=live.url, timeout=120) as client:
        yield Sql(client)


@pytest.fixture
def as_user(live: LiveServer) -> Iterator[Callable[[str], httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(user: str) -> httpx.Client:
        client = httpx.Client(base_url=live.url, timeout=60, headers={"X-Lakegate-User": user})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _entity(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.get("/v1/entities", params={"name": name})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_dataset_is_an_entity_with_owner_sql_lineage_and_propagated_tags(
    sql: Sql, as_user: Callable[[str], httpx.Client]
) -> None:
    root = as_user("root")
    sql.ok(
        "root",
        "CREATE TABLE workspace.shared.phone_book COMMENT 'Who to call' AS "
        "SELECT customer_id, full_name, phone, email, upper(email) AS shout FROM crm.main.customers",
    )
    table = _entity(root, "workspace.shared.phone_book")
    assert table["type"] == "table"
    assert table["owners"] == ["root"]
    assert table["description"] == "Who to call"
    lineage = root.get(f"/v1/lineage/{table['guid']}", params={"direction": "INPUT", "depth": 2}).json()
    names = {h["attributes"]["qualifiedName"] for h in lineage["guidEntityMap"].values()}
    assert "crm.main.customers@lakegate" in names
    processes = [h for h in lineage["guidEntityMap"].values() if h["typeName"] == "process"]
    assert processes

    for column in ("phone", "email", "shout", "full_name"):
        tags = _entity(root, f"workspace.shared.phone_book.{column}")["classifications"]
        pii = [t for t in tags if t["name"] == "PII"]
        assert pii, (column, tags)
        assert pii[0]["propagated_from"] is not None
        assert "masked_by" not in pii[0]["attributes"]  # the source's column mask stays behind
    assert not _entity(root, "workspace.shared.phone_book.customer_id")["classifications"]

    # the tag policy follows the data: ada reads the copy masked, though root wrote it raw
    raw = {
        r[0]: r[1:]
        for r in sql.ok("root", "SELECT customer_id, phone, email, shout FROM workspace.shared.phone_book")
    }
    seen = {
        r[0]: r[1:]
        for r in sql.ok("ada", "SELECT customer_id, phone, email, shout FROM workspace.shared.phone_book")
    }
    assert raw.keys() == seen.keys()
    for key, (phone, email, shout) in seen.items():
        assert phone != raw[key][0]
        assert email != raw[key][1]
        assert shout != raw[key][2]
    assert all(set(p) <= set("xX- +0") for p, _, _ in seen.values())


def test_a_view_in_the_catalog_and_in_search(sql: Sql, as_user: Callable[[str], httpx.Client]) -> None:
    body = "SELECT vessel_id, name AS vessel_name FROM lake.shipping.vessels"
    sql.ok("ada", f"CREATE VIEW workspace.ada.fleet_names COMMENT 'Vessel names' AS {body}")
    ada = as_user("ada")
    view = _entity(ada, "workspace.ada.fleet_names")
    assert view["type"] == "view"
    assert view["view_sql"] == body
    assert view["owners"] == ["ada"]
    column = _entity(ada, "workspace.ada.fleet_names.vessel_name")
    upstream = ada.get(f"/v1/lineage/{column['guid']}", params={"direction": "INPUT"}).json()
    names = {h["attributes"]["qualifiedName"] for h in upstream["guidEntityMap"].values()}
    assert "lake.shipping.vessels.name@lakegate" in names
    hits = ada.get("/v1/search", params={"q": "fleet_names"}).json()["hits"]
    assert any(
        h.get("qualified_name", h.get("name")) in ("workspace.ada.fleet_names@lakegate", "fleet_names")
        for h in hits
    ), hits
    # sam may not see ada's schema: neither the entity nor a search hit
    sam = as_user("sam")
    assert sam.get("/v1/entities", params={"name": "workspace.ada.fleet_names"}).status_code == 404
    assert not sam.get("/v1/search", params={"q": "fleet_names"}).json()["hits"]


def _rows(connection: trino.dbapi.Connection, statement: str) -> list[list[Any]]:
    cursor = connection.cursor()
    cursor.execute(statement)
    return [list(r) for r in cursor.fetchall()]


def test_the_trino_door_defines_lists_and_drops_datasets(live: LiveServer) -> None:
    connection = real_trino_client(live.url, "ada", catalog="workspace", schema="ada")
    try:
        assert _rows(
            connection,
            "CREATE VIEW ports_by_country AS SELECT country, count(*) AS ports "
            "FROM lake.shipping.ports GROUP BY country",
        ) == [[True]]
        (rows,) = _rows(
            connection, "CREATE TABLE port_table AS SELECT port_id, country FROM lake.shipping.ports"
        )[0]
        assert rows == _rows(connection, "SELECT count(*) FROM lake.shipping.ports")[0][0]
        assert _rows(
            connection, "SELECT sum(ports) = (SELECT count(*) FROM port_table) FROM ports_by_country"
        ) == [[True]]
        kinds = _rows(
            connection,
            "SELECT table_name, table_type FROM workspace.information_schema.tables "
            "WHERE table_schema = 'ada' AND table_name LIKE 'port%' ORDER BY 1",
        )
        assert kinds == [["port_table", "BASE TABLE"], ["ports_by_country", "VIEW"]]
        views = _rows(
            connection,
            "SELECT table_name FROM workspace.information_schema.views WHERE table_schema = 'ada' AND table_name LIKE 'port%'",
        )
        assert views == [["ports_by_country"]]
        jdbc = _rows(
            connection,
            "SELECT TABLE_NAME, TABLE_TYPE FROM system.jdbc.tables WHERE TABLE_CAT = 'workspace' "
            "AND TABLE_SCHEM = 'ada' AND TABLE_NAME LIKE 'port%' ORDER BY 1",
        )
        assert jdbc == [["port_table", "TABLE"], ["ports_by_country", "VIEW"]]
        (text,) = _rows(connection, "SHOW CREATE VIEW ports_by_country")[0]
        assert text.startswith(
            "CREATE VIEW workspace.ada.ports_by_country SECURITY DEFINER AS\nSELECT country"
        )
        with pytest.raises(trino.exceptions.TrinoUserError) as refused:
            _rows(connection, "CREATE VIEW lake.shipping.v AS SELECT 1 AS a")
        assert refused.value.error_name == "NOT_SUPPORTED"
        with pytest.raises(trino.exceptions.TrinoUserError) as exists:
            _rows(connection, "CREATE VIEW ports_by_country AS SELECT 1 AS a")
        assert exists.value.error_name == "ALREADY_EXISTS"
        _rows(connection, "DROP VIEW ports_by_country")
        _rows(connection, "DROP TABLE port_table")
        assert not [r for r in _rows(connection, "SHOW TABLES FROM workspace.ada") if r[0].startswith("port")]
    finally:
        connection.close()
    sam = real_trino_client(live.url, "sam", catalog="workspace", schema="ada")
    try:
        with pytest.raises(trino.exceptions.TrinoUserError) as denied:
            _rows(sam, "CREATE VIEW v AS SELECT 1 AS a")
        assert denied.value.error_name == "PERMISSION_DENIED"
    finally:
        sam.close()


def test_a_views_columns_keep_its_querys_spelling_under_a_star(live: LiveServer) -> None:
    # Trino 476 (a view in its memory catalog): SELECT * gives Foo, Bar, baz, while DESCRIBE lists
    # the names folded (foo, bar, baz); a view read by another view's star keeps them too
    connection = real_trino_client(live.url, "ada", catalog="workspace", schema="ada")
    try:
        _rows(
            connection,
            'CREATE VIEW spelled AS SELECT 1 AS "Foo", 2 AS Bar, port_id AS baz FROM lake.shipping.ports',
        )
        _rows(connection, "CREATE VIEW over_spelled AS SELECT * FROM spelled")
        for sql, names in (
            ("SELECT * FROM spelled LIMIT 1", ["Foo", "Bar", "baz"]),
            ('SELECT s.*, 3 AS "Z" FROM spelled s LIMIT 1', ["Foo", "Bar", "baz", "Z"]),
            ("SELECT * FROM over_spelled LIMIT 1", ["Foo", "Bar", "baz"]),
            ("SELECT foo, BAR FROM spelled LIMIT 1", ["foo", "BAR"]),
        ):
            cursor = connection.cursor()
            cursor.execute(sql)
            cursor.fetchall()
            assert [d[0] for d in cursor.description] == names, sql
            native = httpx.post(
                f"{live.url}/v1/query",
                json={"sql": sql, "catalog": "workspace", "schema": "ada"},
                headers={"X-Lakegate-User": "ada"},
                timeout=60,
            )
            assert native.status_code == 200, native.text
            assert pa.ipc.open_stream(native.content).read_all().column_names == names, sql
        assert [r[0] for r in _rows(connection, "DESCRIBE spelled")] == ["foo", "bar", "baz"]
        _rows(connection, "DROP VIEW over_spelled")
        _rows(connection, "DROP VIEW spelled")
    finally:
        connection.close()


def test_a_view_over_a_star_is_read_on_a_server_without_policies(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # no policies: nothing expands the view query's star, so its columns are counted from the
    # names the planner reads (the stored table's width), not from the one projection ``*``
    demo = tmp_path_factory.mktemp("datasets-open")
    generate_demo(demo)
    raw = workspace_config_raw(demo)
    raw.pop("policies")
    with LiveServer(create_app(parse_config(raw, demo / "lakegate.yaml"))) as open_server:
        connection = real_trino_client(open_server.url, "ada", catalog="workspace", schema="shared")
        try:
            _rows(connection, "CREATE VIEW every_port AS SELECT * FROM lake.shipping.ports")
            _rows(connection, 'CREATE VIEW spelled AS SELECT * FROM (VALUES (1, 2)) AS t("Xx", y)')
            cursor = connection.cursor()
            cursor.execute("SELECT * FROM every_port ORDER BY port_id LIMIT 1")
            assert len(cursor.fetchall()[0]) == 6
            assert [d[0] for d in cursor.description] == [
                "port_id",
                "name",
                "country",
                "latitude",
                "longitude",
                "timezone",
            ]
            assert _rows(connection, "SELECT * FROM spelled") == [[1, 2]]
            assert [d[0] for d in connection.cursor().execute("SELECT * FROM spelled").description] == [
                "Xx",
                "y",
            ]
        finally:
            connection.close()
