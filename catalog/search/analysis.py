"""Identifier analysis shared by both backends: ``order_items``, ``orderItems``, ``order.items`` and
"order items" become the same words, done here in Python so tantivy and Solr index and query alike.

A name yields its lower-cased parts (split at ``_``, ``.``, ``-``, spaces, camelCase and letter/digit
boundaries) plus the parts joined (``orderitems``), so a query for either spelling finds it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RUNS = re.compile(r"[^\W_]+")  # letters and digits, any script
_ASCII_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_OTHER_PARTS = re.compile(r"\d+|[^\W\d_]+")
#: words of a query beyond this are ignored (a query is a few words, not a document)
MAX_QUERY_WORDS = 16


def _parts(text: str) -> list[str]:
    """Lower-cased parts: runs of letters and digits, ASCII ones also split at camelCase and at
    letter/digit boundaries (other scripts at letter/digit boundaries only)."""
    parts: list[str] = []
    for run in _RUNS.findall(text):
        pattern = _ASCII_PARTS if run.isascii() else _OTHER_PARTS
        parts.extend(p.lower() for p in pattern.findall(run))
    return parts


@lru_cache(maxsize=200_000)
def identifier_words(name: str) -> tuple[str, ...]:
    """The words of one identifier, lower-cased, in order, plus the parts joined when there are several."""
    parts = _parts(name)
    if len(parts) > 1:
        joined = "".join(parts)
        if joined not in parts:
            parts.append(joined)
    return tuple(parts)


def query_words(text: str) -> list[str]:
    """A query's words without the joined forms (each word once, in order)."""
    seen = dict.fromkeys(_parts(text))
    return list(seen)[:MAX_QUERY_WORDS]


def normalize_exact(name: str) -> str:
    """The form exact-name fields hold and exact queries are compared in."""
    return name.strip().lower()
