"""Fixtures of the search suite: the judged catalog indexed on each backend, and the policies."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.search_visibility import AuthorizerVisibility
from catalog.search import CatalogSearch
from catalog.search.backend import SearchBackend
from catalog.search.solr_backend import CONFIGSET, SolrBackend
from catalog.search.tantivy_backend import TantivyBackend
from tests.catalog_search.judged_catalog import ListReader, judged_entities
from tests.catalog_search.policies import POLICIES
from tests.solr_server import SolrServer

#: every test of the suite runs on each; "solr" is a real Solr 9 node (tests/solr_server.py)
BACKENDS = ["tantivy", "solr"]


ROOT = Identity("root")
ANA = Identity("ana", ("analysts",))
LEA = Identity("lea", ("analysts",))
SAM = Identity("sam")
NOBODY = Identity("nobody")


def make_backend(kind: str, request: pytest.FixtureRequest) -> SearchBackend:
    if kind == "tantivy":
        return TantivyBackend(threads=1, heap_bytes=50_000_000)
    if kind == "solr":
        backend = SolrBackend(request.getfixturevalue("solr_catalog_core"))
        backend.clear()  # one core for the session, emptied for every test
        backend.commit()
        return backend
    raise AssertionError(kind)


@pytest.fixture(scope="session")
def solr_catalog_core(solr_server: SolrServer) -> Iterator[str]:
    """A core made from the shipped configset (catalog/search/solr/conf) on the real Solr node."""
    url = solr_server.create_core("catalog", CONFIGSET)
    yield url
    solr_server.unload_core("catalog")


@pytest.fixture(params=BACKENDS)
def backend_factory(request: pytest.FixtureRequest) -> Iterator[Callable[[], SearchBackend]]:
    made: list[SearchBackend] = []

    def factory() -> SearchBackend:
        backend = make_backend(str(request.param), request)
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


@pytest.fixture
def reader() -> ListReader:
    return ListReader(judged_entities())


@pytest.fixture
def open_search(backend_factory: Callable[[], SearchBackend], reader: ListReader) -> CatalogSearch:
    """The judged catalog with no policies: everyone sees every entity (no storage details)."""
    search = CatalogSearch(backend_factory())
    search.sync(reader)
    return search


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policies.yaml"
    path.write_text(POLICIES)
    return path


@pytest.fixture
def authorizer(policy_file: Path) -> Authorizer:
    return Authorizer(policy_file, admin_users=("root",), reload_seconds=0)


@pytest.fixture
def guarded_search(
    backend_factory: Callable[[], SearchBackend], reader: ListReader, authorizer: Authorizer
) -> CatalogSearch:
    search = CatalogSearch(backend_factory(), AuthorizerVisibility(authorizer))
    search.sync(reader)
    return search


def rewrite(path: Path, text: str) -> None:
    """Change a policy file so its modification time moves on (what the authorizer watches)."""
    before = path.stat().st_mtime
    path.write_text(text)
    os.utime(path, (before + 10, before + 10))
