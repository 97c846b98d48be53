"""Identifier analysis shared by both backends: ``order_items``, ``orderItems``, ``order.items`` and
"order items" become the same words, done here in Python so tantivy and Solr index and query alike.

A name yields its lower-cased parts (split at ``_``, ``.``, ``-``, spaces, camelCase and letter/digit
boundaries) plus the parts joined (``orderitems``), so a query for either spelling finds it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


@lru_cache(maxsize=200_000)
def identifier_words(name: str) -> tuple[str, ...]:
    """The words of one identifier, lower-cased, in order, plus the parts joined when there are several."""
    parts = [p.lower() for p in _PARTS.findall(name)]
    if len(parts) > 1:
        joined = "".join(parts)
        if joined not in parts:
            parts.append(joined)
    return tuple(parts)


def text_words(text: str) -> list[str]:
    """Free text (a query, a description) split into identifier words."""
    words: list[str] = []
    for token in re.split(r"\s+", text.strip()):
        if token:
            words.extend(identifier_words(token))
    return words


def query_words(text: str) -> list[str]:
    """A query's words without the joined forms (each word once, in order)."""
    seen: dict[str, None] = {}
    for token in re.split(r"\s+", text.strip()):
        for part in _PARTS.findall(token):
            seen.setdefault(part.lower(), None)
    return list(seen)


def normalize_exact(name: str) -> str:
    """The form exact-name fields hold and exact queries are compared in."""
    return name.strip().lower()
