"""The real Solr 9 test server (tests/solr_server.py) behaves as Solr does, through pysolr and HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pysolr
import pytest

from tests.solr_server import SolrServer, SolrUnavailable, start_solr, stop_solr

CONFIGSET = Path(__file__).parent / "solr_test_configset"

DOCS = [
    {"id": "t1", "name": "sales.order_items", "entity_type": "table", "popularity": 40, "tags": ["Finance"]},
    {"id": "t2", "name": "crm.orderItems", "entity_type": "table", "popularity": 10},
    {"id": "t3", "name": "crm.customers", "entity_type": "table", "popularity": 90, "tags": ["PII"]},
    {"id": "c1", "name": "customers.email", "entity_type": "column", "popularity": 5, "tags": ["PII"]},
    {
        "id": "c2",
        "name": "order_items.amount",
        "entity_type": "column",
        "popularity": 1,
        "description": "Line amount in euros",
    },
]


@pytest.fixture(scope="module")
def core(solr_server: SolrServer) -> Iterator[pysolr.Solr]:
    url = solr_server.create_core("server_test", CONFIGSET)
    solr = pysolr.Solr(url, timeout=30)
    solr.add(DOCS, commit=True)
    yield solr
    solr.get_session().close()
    solr_server.unload_core("server_test")


def ids(results: pysolr.Results) -> list[str]:
    return [doc["id"] for doc in results.docs]


def test_it_is_solr_9_10_1_in_standalone_mode(solr_server: SolrServer) -> None:
    info = solr_server.admin("/admin/info/system")
    assert info["lucene"]["solr-spec-version"] == "9.10.1"
    assert info["mode"] == "std"
    assert urlsplit(solr_server.base_url).hostname == "127.0.0.1"
    assert solr_server.startup_seconds < 120


def test_create_core_registers_the_core_with_its_documents(
    solr_server: SolrServer, core: pysolr.Solr
) -> None:
    status = solr_server.admin("/admin/cores", action="STATUS", core="server_test")
    assert status["status"]["server_test"]["index"]["numDocs"] == len(DOCS)
    assert (solr_server.home / "server_test" / "conf" / "managed-schema.xml").is_file()


def test_names_split_on_underscore_dot_and_camel_case(core: pysolr.Solr) -> None:
    assert sorted(ids(core.search("name:order"))) == ["c2", "t1", "t2"]
    assert sorted(ids(core.search("name:items", fq="entity_type:table"))) == ["t1", "t2"]
    assert ids(core.search("name:email")) == ["c1"]


def test_facet_counts_filters_and_sorting(core: pysolr.Solr) -> None:
    results = core.search("*:*", **{"facet": "true", "facet.field": ["entity_type", "tags"], "rows": 0})
    assert results.hits == len(DOCS)
    assert results.docs == []
    facets = results.facets["facet_fields"]
    assert dict(zip(facets["entity_type"][::2], facets["entity_type"][1::2], strict=True)) == {
        "table": 3,
        "column": 2,
    }
    assert dict(zip(facets["tags"][::2], facets["tags"][1::2], strict=True)) == {"PII": 2, "Finance": 1}

    pii = core.search("*:*", fq=["tags:PII", "entity_type:table"])
    assert ids(pii) == ["t3"]
    ranked = core.search("name:order", sort="popularity desc", fl="id,popularity")
    assert [(d["id"], d["popularity"]) for d in ranked.docs] == [("t1", 40), ("t2", 10), ("c2", 1)]


def test_highlighting_marks_the_matched_word(core: pysolr.Solr) -> None:
    results = core.search("description:euros", hl="true", **{"hl.fl": "description"})
    assert ids(results) == ["c2"]
    assert results.highlighting["c2"]["description"] == ["Line amount in <em>euros</em>"]


def test_documents_are_visible_only_after_a_commit(core: pysolr.Solr) -> None:
    core.add([{"id": "v1", "name": "staging.visibility_probe", "entity_type": "view"}], commit=False)
    assert core.search("name:visibility").hits == 0
    core.commit()
    assert ids(core.search("name:visibility")) == ["v1"]
    core.delete(id="v1", commit=True)
    assert core.search("name:visibility").hits == 0


def test_schema_api_adds_a_field(solr_server: SolrServer, core: pysolr.Solr) -> None:
    url = solr_server.core_url("server_test")
    with httpx.Client(timeout=30) as client:
        added = client.post(f"{url}/schema", json={"add-field": {"name": "owner", "type": "string"}})
        assert added.status_code == 200, added.text
        field = client.get(f"{url}/schema/fields/owner").json()["field"]
        assert field == {"name": "owner", "type": "string"}
    core.add([{"id": "o1", "name": "hr.people", "entity_type": "table", "owner": "alice"}], commit=True)
    assert ids(core.search("owner:alice")) == ["o1"]
    core.delete(id="o1", commit=True)


def test_solr_rejects_bad_queries_and_unknown_fields(core: pysolr.Solr) -> None:
    with pytest.raises(pysolr.SolrError, match="400"):
        core.search("name:(order")
    with pytest.raises(pysolr.SolrError, match="unknown field 'nonexistent'"):
        core.add([{"id": "x1", "nonexistent": "value"}], commit=True)


def test_admin_errors_raise(solr_server: SolrServer, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="missing_core"):
        solr_server.admin("/admin/cores", action="RELOAD", core="missing_core")
    with pytest.raises(FileNotFoundError):
        solr_server.create_core("no_conf", tmp_path)


def test_a_node_starts_and_stops_cleanly(solr_server: SolrServer, tmp_path: Path) -> None:
    # A second node, beside the session's (whose fixture skips this test where Solr cannot run).
    try:
        process, node = start_solr(tmp_path / "home")
    except SolrUnavailable as exc:
        pytest.fail(f"the session's Solr started, a second one must too: {exc}")
    port = urlsplit(node.base_url).port
    assert port is not None
    try:
        assert node.admin("/admin/cores", action="STATUS")["status"] == {}
    finally:
        node._client.close()
        stop_solr(process)
    assert process.returncode == 0
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
