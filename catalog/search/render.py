"""Stored hits → :class:`Hit`: highlights and matched columns, computed under the principal's grant
(a column the grant hides is never shown, matched or highlighted)."""

from __future__ import annotations

import html
import re

from catalog.search.access_keys import AccessGrant
from catalog.search.analysis import identifier_words, query_words
from catalog.search.backend import StoredHit
from catalog.search.documents import decode_columns
from catalog.search.query import Highlight, Hit

SNIPPET_CHARS = 160
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]+")


class QueryTerms:
    """The words of a query, with the last one also matched as a prefix (search as you type)."""

    def __init__(self, text: str) -> None:
        words = query_words(text)
        self.words = frozenset(words)
        self.joined = "".join(words)
        self.last = words[-1] if words else ""

    def matches(self, word: str) -> bool:
        word = word.lower()
        return (
            word in self.words or word == self.joined or (len(self.last) >= 2 and word.startswith(self.last))
        )

    def matches_name(self, name: str) -> bool:
        return any(self.matches(w) for w in identifier_words(name))

    def matches_text(self, text: str) -> bool:
        return any(self.matches(w) for w in re.findall(r"[A-Za-z0-9]+", text) for w in identifier_words(w))


def mark(text: str, terms: QueryTerms) -> str | None:
    """``text`` HTML-escaped with matching words in ``<em>``; None when nothing matches."""
    out: list[str] = []
    found = False
    for token in _TOKEN.findall(text):
        if token[0].isalnum() and any(terms.matches(w) for w in identifier_words(token)):
            out.append(f"<em>{html.escape(token)}</em>")
            found = True
        else:
            out.append(html.escape(token))
    return "".join(out) if found else None


def snippet(text: str, terms: QueryTerms) -> str | None:
    """A window of ``text`` around its first matching word, marked."""
    for found in re.finditer(r"[A-Za-z0-9]+", text):
        if any(terms.matches(w) for w in identifier_words(found.group())):
            start = max(0, found.start() - SNIPPET_CHARS // 3)
            window = text[start : start + SNIPPET_CHARS]
            marked = mark(window, terms)
            if marked is None:
                return None
            return ("…" if start else "") + marked + ("…" if start + SNIPPET_CHARS < len(text) else "")
    return None


def render(hit: StoredHit, terms: QueryTerms, grant: AccessGrant, highlight: bool) -> Hit:
    matched: list[str] = []
    highlights: list[Highlight] = []
    if terms.words and hit.columns_json:
        for column in decode_columns(hit.columns_json, hit.acl_tree):
            if not grant.sees(column.keys, column.name):
                continue
            if terms.matches_name(column.name) or terms.matches_text(column.description or ""):
                matched.append(column.name)
                if highlight:
                    column_mark = mark(column.name, terms) or html.escape(column.name)
                    highlights.append(Highlight("columns", column_mark))
    if highlight and terms.words:
        for field, value in (("name", hit.name), ("qualified_name", hit.qualified_name)):
            marked = mark(value, terms)
            if marked is not None:
                highlights.insert(0 if field == "name" else len(highlights), Highlight(field, marked))
        if hit.description:
            found = snippet(hit.description, terms)
            if found is not None:
                highlights.append(Highlight("description", found))
    return Hit(
        guid=hit.guid,
        type=hit.type,
        qualified_name=hit.qualified_name,
        name=hit.name,
        score=hit.score,
        description=hit.description or None,
        source=hit.source or None,
        parent_guid=hit.parent_guid or None,
        matched_columns=tuple(matched),
        highlights=tuple(highlights),
        popularity=hit.popularity,
        deprecated=hit.deprecated,
    )
