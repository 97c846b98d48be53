"""A materialised table over a Trino catalog: its query runs on the cluster (as its owner) and the
result streams into Parquet the embedded engine then serves; a view over a Trino catalog cannot be
read with embedded catalogs in one query (CROSS_ENGINE_QUERY: materialise it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import WorkspaceSettings
from tests.trino_connector.conftest import Lakegate, cluster_spec, lakegate_config
from tests.trino_connector.standin import StandIn


@pytest.fixture
def lakegate(cluster: StandIn, tmp_path: Path) -> Iterator[Lakegate]:
    config = lakegate_config(tmp_path, [cluster_spec(cluster)])
    workspace = WorkspaceSettings(name="workspace", path=str(tmp_path / "workspace"))
    started = Lakegate(config.model_copy(update={"workspaces": [workspace]}))
    yield started
    started.stop()


def test_a_table_materialised_from_a_trino_catalog(
    cluster: StandIn, lakegate: Lakegate, tmp_path: Path
) -> None:
    mark = f"mark-{uuid.uuid4().hex}"
    rows = lakegate.query(
        f"CREATE TABLE workspace.s.copied AS SELECT id, name, '{mark}' AS m FROM remote.s.typed", user="alice"
    )
    assert rows.to_pylist() == [{"rows": 6}]
    ran = cluster.queries_with(mark)
    assert [q.user for q in ran if q.state.value == "FINISHED"]  # it ran there, as alice
    assert all(q.user == "alice" for q in ran)
    assert list((tmp_path / "workspace" / "s" / "copied").glob("v1.parquet"))
    copied = lakegate.query("SELECT id, name FROM workspace.s.copied WHERE id < 3 ORDER BY id")
    assert copied.to_pylist() == [{"id": i, "name": f"name {i}"} for i in range(3)]
    # a join of the copy with a table of the embedded engine: one engine now
    count = lakegate.query(
        "SELECT count(*) AS n FROM workspace.s.copied a JOIN workspace.s.copied b ON a.id = b.id"
    )
    assert count.to_pylist() == [{"n": 6}]
    assert lakegate.query("REFRESH MATERIALIZED VIEW workspace.s.copied").to_pylist() == [{"rows": 6}]


def test_a_view_over_a_trino_catalog_is_refused_with_a_clear_error(lakegate: Lakegate) -> None:
    lakegate.query("CREATE VIEW workspace.s.remote_ids AS SELECT id FROM remote.s.typed")
    status, problem = lakegate.problem("SELECT * FROM workspace.s.remote_ids")
    assert status == 400
    assert problem["code"] == "CROSS_ENGINE_QUERY"
    assert "materialise" in problem["detail"]
