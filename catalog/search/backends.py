"""Choosing a search backend from configuration (an allowlist of kinds)."""

from __future__ import annotations

from pathlib import Path

from catalog.search.backend import SearchBackend

KINDS = ("tantivy", "solr")


def open_backend(kind: str, *, index_path: Path | None = None, solr_url: str | None = None) -> SearchBackend:
    """``tantivy`` (embedded; in memory without ``index_path``) or ``solr`` (a core URL, e.g.
    ``http://solr:8983/solr/lakegate``, created from ``catalog/search/solr/conf``)."""
    if kind == "tantivy":
        from catalog.search.tantivy_backend import TantivyBackend

        return TantivyBackend(index_path)
    if kind == "solr":
        if not solr_url:
            raise ValueError("the solr search backend needs solr_url (a core URL)")
        from catalog.search.solr_backend import SolrBackend

        return SolrBackend(solr_url)
    raise ValueError(f"unknown search backend {kind!r}; choose one of {', '.join(KINDS)}")
