"""The embedded search backend: a tantivy index, in memory or in a folder.

One writer, held for the index's life (tantivy allows one); changes become visible after
:meth:`commit`, which commits and reloads the reader. The access grant, the filters and the text
query are one tantivy query, so counts, facets and pages are computed under the grant.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import tantivy

from catalog.search.access_keys import AccessGrant
from catalog.search.analysis import normalize_exact, query_words
from catalog.search.backend import SUGGESTED_TYPES, RawResult, StoredHit
from catalog.search.documents import SearchDocument
from catalog.search.query import FacetCount, SearchQuery, SortOrder
from catalog.search.ranking import (
    BOOST_COLUMNS,
    BOOST_DESCRIPTION,
    BOOST_FUZZY,
    BOOST_KEYWORDS,
    BOOST_NAME,
    BOOST_NAME_EXACT,
    BOOST_PREFIX,
    BOOST_QNAME,
    BOOST_QNAME_EXACT,
    FACET_SIZE,
    FIELD_NAMES,
    MIN_PREFIX,
    filter_values,
    fuzzy_distances,
)

#: up to this many values, "any of" is a union of term queries rather than a term set
SMALL_TERM_SET = 64
#: threads counting facets beside searches
FACET_THREADS = 4
#: grants whose compiled filters are kept (grants themselves are cached by the visibility compiler)
MAX_CACHED_GRANTS = 256
Occur = tantivy.Occur
Q = tantivy.Query


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("guid", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("type", "source"):
        b.add_text_field(name, stored=True, tokenizer_name="raw", fast=True, index_option="basic")
    for name in ("catalog", "schema", "owner", "classification", "term", "format"):
        b.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    b.add_text_field("name", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("qualified_name", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("parent_guid", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("name_exact", tokenizer_name="raw", index_option="basic")
    b.add_text_field("qname_exact", tokenizer_name="raw", index_option="basic")
    b.add_text_field("name_words", index_option="freq")
    b.add_text_field("qname_words", index_option="freq")
    b.add_text_field("description", stored=True)
    b.add_text_field("column_text", index_option="freq")
    b.add_text_field("keywords", index_option="freq")
    b.add_bytes_field("columns_json", stored=True, indexed=False)
    b.add_text_field("acl_self", tokenizer_name="raw", index_option="basic")
    b.add_text_field("acl_tree", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("acl_leaf", tokenizer_name="raw", index_option="basic")
    b.add_text_field("acl_cols", tokenizer_name="raw", index_option="basic")
    b.add_text_field("name_sort", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_integer_field("popularity", stored=True, fast=True)
    b.add_integer_field("rank_weight", fast=True)
    b.add_integer_field("updated_at", fast=True)
    b.add_boolean_field("deprecated", stored=True, indexed=True)
    return b.build()


def _json(doc: SearchDocument) -> bytes:
    """A document as tantivy's JSON (bytes fields base64-encoded)."""
    columns = doc.get("columns_json")
    if columns is not None:
        doc = {**doc, "columns_json": base64.b64encode(columns.encode()).decode()}
    return orjson.dumps(doc)


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path | None = None, *, heap_bytes: int = 200_000_000, threads: int = 0) -> None:
        self.schema = _schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path) if path is not None else None)
        self._writer = self.index.writer(heap_size=heap_bytes, num_threads=threads)
        self._lock = threading.Lock()
        self._closed = False
        self._facet_pool = ThreadPoolExecutor(max_workers=FACET_THREADS, thread_name_prefix="search-facets")
        self._grant_filters: dict[int, tuple[AccessGrant, tantivy.Query | None, tantivy.Query | None]] = {}
        self.index.reload()

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        with self._lock:
            for doc in documents:
                self._writer.delete_documents_by_term("guid", doc["guid"])
                self._writer.add_json(_json(doc).decode())

    def add_new(self, documents: Sequence[SearchDocument]) -> None:
        """Add documents known to be new (a first build): no delete by guid first."""
        with self._lock:
            for doc in documents:
                self._writer.add_json(_json(doc).decode())

    def delete(self, guids: Sequence[str]) -> None:
        with self._lock:
            for guid in guids:
                self._writer.delete_documents_by_term("guid", guid)

    def clear(self) -> None:
        with self._lock:
            self._writer.delete_all_documents()

    def commit(self) -> None:
        with self._lock:
            self._writer.commit()
        self.index.reload()

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    def close(self) -> None:
        """Stop the writer's merges; a second close does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._facet_pool.shutdown(wait=True)
            self._writer.wait_merging_threads()

    # -- queries ----------------------------------------------------------------------------
    def _terms(self, field: str, values: Sequence[str]) -> tantivy.Query:
        """Any of ``values``: a union of term queries while few (they skip through posting lists
        when intersected with a selective query), a term set beyond that."""
        if len(values) <= SMALL_TERM_SET:
            return Q.boolean_query([(Occur.Should, Q.term_query(self.schema, field, v)) for v in values])
        return Q.term_set_query(self.schema, field, list(values))

    def _term(self, field: str, value: str) -> tantivy.Query:
        return Q.term_query(self.schema, field, value)

    def _prefix(self, word: str) -> tantivy.Query:
        """Name words starting with ``word`` (letters and digits only, so safe in a regex)."""
        assert word.isalnum(), word
        return Q.regex_query(self.schema, "name_words", f"{word}.*")

    def _filters(self, grant: AccessGrant) -> tuple[tantivy.Query | None, tantivy.Query | None]:
        """The grant's access filter and its whole-tables filter, built once per grant."""
        cached = self._grant_filters.get(id(grant))
        if cached is not None and cached[0] is grant:
            return cached[1], cached[2]
        built = (self._access_filter(grant), self._whole_tables(grant))
        if len(self._grant_filters) >= MAX_CACHED_GRANTS:
            self._grant_filters.clear()
        self._grant_filters[id(grant)] = (grant, *built)
        return built

    def access_filter(self, grant: AccessGrant) -> tantivy.Query | None:
        return self._filters(grant)[0]

    def _access_filter(self, grant: AccessGrant) -> tantivy.Query | None:
        if grant.admin:
            return None
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if grant.tree:
            should.append((Occur.Should, self._terms("acl_tree", sorted(grant.tree))))
        if grant.self_keys:
            should.append((Occur.Should, self._terms("acl_self", sorted(grant.self_keys))))
        if not should:
            return Q.empty_query()
        clauses = [(Occur.Must, Q.boolean_query(should))]
        if grant.hidden:
            clauses.append((Occur.MustNot, self._terms("acl_self", sorted(grant.hidden))))
        if grant.hidden_columns:
            clauses.append((Occur.MustNot, self._terms("acl_leaf", sorted(grant.hidden_columns))))
        return Q.boolean_query(clauses)

    def _whole_tables(self, grant: AccessGrant) -> tantivy.Query | None:
        """Tables whose every column the grant shows (None: all of them, for administrators)."""
        if grant.admin:
            return None
        if not grant.tree:
            return Q.empty_query()
        whole: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (Occur.Must, self._terms("acl_tree", sorted(grant.tree)))
        ]
        if grant.hidden_columns:
            whole.append((Occur.MustNot, self._terms("acl_cols", sorted(grant.hidden_columns))))
        return Q.const_score_query(Q.boolean_query(whole), 0.0)

    def _column_clause(self, word: str, grant: AccessGrant) -> tantivy.Query:
        """Column text matches only on tables whose every column the grant shows."""
        match = self._term("column_text", word)
        whole = self._filters(grant)[1]
        if whole is None:
            return match
        return Q.boolean_query([(Occur.Must, match), (Occur.Must, whole)])

    def text_query(self, text: str, grant: AccessGrant) -> tantivy.Query | None:
        words = query_words(text)
        if not words:
            return None
        per_word: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for i, word in enumerate(words):
            alternatives = [
                Q.boost_query(self._term("name_words", word), BOOST_NAME),
                Q.boost_query(self._term("qname_words", word), BOOST_QNAME),
                Q.boost_query(self._term("keywords", word), BOOST_KEYWORDS),
                Q.boost_query(self._term("description", word), BOOST_DESCRIPTION),
                Q.boost_query(self._column_clause(word, grant), BOOST_COLUMNS),
            ]
            for distance in fuzzy_distances(word):
                fuzzy = Q.fuzzy_term_query(self.schema, "name_words", word, distance, True)
                alternatives.append(Q.boost_query(fuzzy, BOOST_FUZZY / distance))
            if i == len(words) - 1 and len(word) >= MIN_PREFIX:
                alternatives.append(Q.boost_query(self._prefix(word), BOOST_PREFIX))
            per_word.append((Occur.Must, Q.disjunction_max_query(alternatives, 0.1)))
        exact = normalize_exact(text)
        should: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (Occur.Should, Q.boost_query(self._term("name_exact", exact), BOOST_NAME_EXACT)),
            (Occur.Should, Q.boost_query(self._term("qname_exact", exact), BOOST_QNAME_EXACT)),
            (Occur.Should, Q.boolean_query(per_word)),
        ]
        if len(words) > 1:
            joined = "".join(words)
            should.append((Occur.Should, Q.boost_query(self._term("name_words", joined), BOOST_NAME)))
            should.append((Occur.Should, Q.boost_query(self._prefix(joined), BOOST_PREFIX)))
        return Q.boolean_query(should)

    def _query(self, query: SearchQuery, grant: AccessGrant) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        text = self.text_query(query.text, grant)
        clauses.append((Occur.Must, text if text is not None else Q.all_query()))
        access = self.access_filter(grant)
        if access is not None:
            clauses.append((Occur.Must, Q.const_score_query(access, 0.0)))
        for facet, values in query.filters.items():
            wanted = filter_values(facet, values)
            filt = self._terms(FIELD_NAMES[facet], list(wanted))
            clauses.append((Occur.Must, Q.const_score_query(filt, 0.0)))
        return Q.boolean_query(clauses)

    def search(self, query: SearchQuery, grant: AccessGrant) -> RawResult:
        searcher = self.index.searcher()
        q = self._query(query, grant)
        counting: Future[dict[str, Any]] | None = None
        if query.facets:  # facet counts run beside the search (tantivy releases the GIL)
            aggs = {f.value: {"terms": {"field": FIELD_NAMES[f], "size": FACET_SIZE}} for f in query.facets}
            counting = self._facet_pool.submit(searcher.aggregate, q, aggs)
        if query.sort is SortOrder.RELEVANCE:
            found = searcher.search(
                q, query.limit, count=True, offset=query.offset, weight_by_field="rank_weight"
            )
        else:
            field, order = {
                SortOrder.NAME: ("name_sort", tantivy.Order.Asc),
                SortOrder.POPULARITY: ("popularity", tantivy.Order.Desc),
                SortOrder.UPDATED: ("updated_at", tantivy.Order.Desc),
            }[query.sort]
            found = searcher.search(
                q, query.limit, count=True, offset=query.offset, order_by_field=field, order=order
            )
        hits = [self._stored(searcher, score, address) for score, address in found.hits]
        facets: dict[str, tuple[FacetCount, ...]] = {}
        if counting is not None:
            answer = counting.result()
            for facet in query.facets:
                buckets = answer.get(facet.value, {}).get("buckets", [])
                facets[facet.value] = tuple(
                    FacetCount(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ""
                )
        total = getattr(found, "count", None)  # present when searched with count=True
        return RawResult(total=int(total or 0), hits=hits, facets=facets)

    def suggest(self, text: str, grant: AccessGrant, limit: int) -> Sequence[StoredHit]:
        words = query_words(text)
        joined = "".join(words)
        if len(joined) < MIN_PREFIX:
            return []
        # the name starts with what was typed (all words run together), or its words are the
        # typed words with the last one as a prefix: the same clauses the search holds
        ways: list[tuple[tantivy.Occur, tantivy.Query]] = [(Occur.Should, self._prefix(joined))]
        if len(words[-1]) >= MIN_PREFIX:
            each = [(Occur.Must, self._term("name_words", w)) for w in words[:-1]]
            each.append((Occur.Must, self._prefix(words[-1])))
            ways.append((Occur.Should, Q.boolean_query(each)))
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(Occur.Must, Q.boolean_query(ways))]
        clauses.append((Occur.Should, Q.boost_query(self._term("name_exact", normalize_exact(text)), 5.0)))
        clauses.append((Occur.Must, Q.const_score_query(self._terms("type", SUGGESTED_TYPES), 0.0)))
        access = self.access_filter(grant)
        if access is not None:
            clauses.append((Occur.Must, Q.const_score_query(access, 0.0)))
        searcher = self.index.searcher()
        found = searcher.search(Q.boolean_query(clauses), limit, count=False, weight_by_field="rank_weight")
        return [self._stored(searcher, score, address) for score, address in found.hits]

    @staticmethod
    def _stored(searcher: tantivy.Searcher, score: Any, address: tantivy.DocAddress) -> StoredHit:
        doc = searcher.doc(address)

        def first(name: str, default: Any = "") -> Any:
            value = doc.get_first(name)
            return default if value is None else value

        columns = first("columns_json", b"")
        return StoredHit(
            score=float(score) if isinstance(score, int | float) else 0.0,
            guid=first("guid"),
            type=first("type"),
            name=first("name"),
            qualified_name=first("qualified_name"),
            description=first("description"),
            source=first("source"),
            parent_guid=first("parent_guid"),
            columns_json=columns.decode() if isinstance(columns, bytes) else str(columns),
            acl_tree=tuple(doc.get_all("acl_tree")),
            popularity=int(first("popularity", 0)),
            deprecated=bool(first("deprecated", False)),
        )
