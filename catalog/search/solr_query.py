"""Search requests for the Solr backend, built as Solr request parameters.

The same clauses and boosts as the embedded index (``tantivy_backend``): nested ``bool`` queries
whose parts are passed as separate parameters (``$w0``), so no user text is ever spliced into
query syntax except as escaped terms. The permission filter is an ``fq`` of ``terms`` queries
(SOLR-6318: built for security filters; no maxBooleanClauses limit), so counts, facets and paging
are computed under it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from catalog.search.access_keys import FORBIDDEN_KEY_CHARS, AccessGrant
from catalog.search.analysis import normalize_exact, query_words
from catalog.search.backend import SUGGESTED_TYPES
from catalog.search.query import SearchQuery, SortOrder
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

#: separates values in ``terms`` queries; keys holding it are never granted (see access_keys)
SEPARATOR = FORBIDDEN_KEY_CHARS[0]
NOTHING = "-*:*"
STORED_FIELDS = (
    "id,type,name,qualified_name,description,source,parent_guid,columns_json,acl_tree,popularity,"
    "deprecated,score"
)
_SPECIAL = re.compile(r'(["\\])')


def quoted(value: str) -> str:
    """A value as a quoted Lucene term (a phrase of one term on a string field)."""
    return '"' + _SPECIAL.sub(r"\\\1", value) + '"'


class Params:
    """Request parameters with numbered sub-query references."""

    def __init__(self) -> None:
        self.values: dict[str, str | list[str]] = {"sep": SEPARATOR}
        self._n = 0

    def ref(self, query: str) -> str:
        self._n += 1
        name = f"p{self._n}"
        self.values[name] = query
        return f"${name}"

    def terms(self, field: str, values: Sequence[str]) -> str:
        clean = [v for v in values if SEPARATOR not in v]
        if not clean:
            return self.ref(NOTHING)
        return self.ref(f"{{!terms f={field} separator=$sep v={self.ref(SEPARATOR.join(sorted(clean)))}}}")

    def bool(self, **clauses: Sequence[str]) -> str:
        parts = [f"{kind}={ref}" for kind, refs in clauses.items() for ref in refs]
        return self.ref("{!bool " + " ".join(parts) + "}") if parts else self.ref(NOTHING)


def _word(word: str) -> str:
    assert word.isalnum(), word  # query_words yields letters and digits only: nothing to escape
    return word


def access_filter(params: Params, grant: AccessGrant) -> str | None:
    if grant.admin:
        return None
    should = []
    if grant.tree:
        should.append(params.terms("acl_tree", sorted(grant.tree)))
    if grant.self_keys:
        should.append(params.terms("acl_self", sorted(grant.self_keys)))
    if not should:
        return params.ref(NOTHING)
    must_not = [params.terms("acl_self", sorted(grant.hidden))] if grant.hidden else []
    if grant.hidden_columns:
        must_not.append(params.terms("acl_leaf", sorted(grant.hidden_columns)))
    return params.bool(should=should, must_not=must_not)


def _column_clause(params: Params, word: str, grant: AccessGrant) -> str:
    match = params.ref(f"column_text:{word}")
    if grant.admin:
        return f"column_text:{word}^{BOOST_COLUMNS}"
    if not grant.tree:
        return ""
    must_not = [params.terms("acl_cols", sorted(grant.hidden_columns))] if grant.hidden_columns else []
    whole = params.bool(filter=[params.terms("acl_tree", sorted(grant.tree))], must_not=must_not)
    return f'_query_:"{{!bool must={match} filter={whole}}}"^{BOOST_COLUMNS}'


def text_query(params: Params, text: str, grant: AccessGrant) -> str | None:
    words = [_word(w) for w in query_words(text)]
    if not words:
        return None
    per_word = []
    for i, w in enumerate(words):
        alternatives = [
            f"name_words:{w}^{BOOST_NAME}",
            f"qname_words:{w}^{BOOST_QNAME}",
            f"keywords:{w}^{BOOST_KEYWORDS}",
            f"description:{w}^{BOOST_DESCRIPTION}",
        ]
        column = _column_clause(params, w, grant)
        if column:
            alternatives.append(column)
        for distance in fuzzy_distances(w):
            alternatives.append(f"name_words:{w}~{distance}^{BOOST_FUZZY / distance}")
        if i == len(words) - 1 and len(w) >= MIN_PREFIX:
            alternatives.append(f"name_words:{w}*^{BOOST_PREFIX}")
        per_word.append(params.ref("{!maxscore tie=0.1 v=" + params.ref(" ".join(alternatives)) + "}"))
    exact = normalize_exact(text)
    should = [
        params.ref(f"name_exact:{quoted(exact)}^{BOOST_NAME_EXACT}"),
        params.ref(f"qname_exact:{quoted(exact)}^{BOOST_QNAME_EXACT}"),
        params.bool(must=per_word),
    ]
    if len(words) > 1:
        joined = "".join(words)
        should.append(params.ref(f"name_words:{joined}^{BOOST_NAME}"))
        should.append(params.ref(f"name_words:{joined}*^{BOOST_PREFIX}"))
    return params.bool(should=should)


def search_params(query: SearchQuery, grant: AccessGrant) -> tuple[str, dict[str, str | list[str]]]:
    params = Params()
    main = text_query(params, query.text, grant) or params.ref("*:*")
    fq: list[str] = []
    access = access_filter(params, grant)
    if access is not None:
        fq.append("{!bool filter=" + access + "}")
    for facet, values in query.filters.items():
        wanted = filter_values(facet, values)
        fq.append("{!bool filter=" + params.terms(FIELD_NAMES[facet], wanted) + "}")
    if query.sort is SortOrder.RELEVANCE:
        q = "{!boost b=log(sum(rank_weight,2)) v=" + main + "}"
        sort = "score desc"
    else:
        q = "{!bool must=" + main + "}"
        sort = {
            SortOrder.NAME: "name_sort asc",
            SortOrder.POPULARITY: "popularity desc",
            SortOrder.UPDATED: "updated_at desc",
        }[query.sort]
    params.values.update(
        {"fq": fq, "fl": STORED_FIELDS, "start": str(query.offset), "rows": str(query.limit), "sort": sort}
    )
    if query.facets:
        params.values.update(
            {
                "facet": "true",
                "facet.field": [FIELD_NAMES[f] for f in query.facets],
                "facet.mincount": "1",
                "facet.limit": str(FACET_SIZE),
                "facet.sort": "count",
            }
        )
    return q, params.values


def suggest_params(
    text: str, grant: AccessGrant, limit: int
) -> tuple[str, dict[str, str | list[str]]] | None:
    words = [_word(w) for w in query_words(text)]
    joined = "".join(words)
    if len(joined) < MIN_PREFIX:
        return None
    params = Params()
    ways = [params.ref(f"name_words:{joined}*")]
    if len(words[-1]) >= MIN_PREFIX:
        each = [params.ref(f"name_words:{w}") for w in words[:-1]]
        each.append(params.ref(f"name_words:{words[-1]}*"))
        ways.append(params.bool(must=each))
    main = params.bool(
        must=[params.bool(should=ways)],
        should=[params.ref(f"name_exact:{quoted(normalize_exact(text))}^5")],
    )
    fq = ["{!bool filter=" + params.terms("type", SUGGESTED_TYPES) + "}"]
    access = access_filter(params, grant)
    if access is not None:
        fq.append("{!bool filter=" + access + "}")
    params.values.update({"fq": fq, "fl": STORED_FIELDS, "rows": str(limit), "sort": "score desc"})
    return "{!boost b=log(sum(rank_weight,2)) v=" + main + "}", params.values
