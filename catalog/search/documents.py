"""Search documents built from catalog entities: one per catalog, schema, table or view, column and
glossary term. Table documents also carry their columns' names and descriptions, so a query for a
column finds its table; what a principal may not see of them is kept out at query time.

A document is a plain dict keyed by index field (the same names in tantivy and Solr, where ``guid``
is stored as ``id``); empty optional fields are left out. Built for speed: a million entities are
indexed in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from catalog.model import Entity, EntityType, GlossaryTerm, ResourcePath
from catalog.search.access_keys import GLOSSARY_KEY, document_keys, leaf_terms
from catalog.search.analysis import identifier_words

#: entity types that become search documents (sources and processes are not searched)
SEARCHED_TYPES = frozenset(
    {
        EntityType.CATALOG,
        EntityType.SCHEMA,
        EntityType.TABLE,
        EntityType.VIEW,
        EntityType.COLUMN,
        EntityType.GLOSSARY_TERM,
    }
)
#: added to popularity in the rank weight; a deprecated entity's weight is 0 (see ``rank_weight``)
RANK_WEIGHT_BASE = 30

SearchDocument = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    description: str | None
    keys: tuple[str, ...]  # the column's tree keys (for per-principal visibility)


def rank_weight(popularity: int, deprecated: bool) -> int:
    """Scores are multiplied by log2(2 + weight): deprecated entities by 1, others by at least 5."""
    return 0 if deprecated else RANK_WEIGHT_BASE + max(popularity, 0)


def _words(name: str) -> str:
    return " ".join(identifier_words(name))


def document_digest(entity: Entity) -> int:
    """Changes whenever anything a document is built from changes."""
    return hash(
        (
            entity.type,
            entity.name,
            entity.qualified_name,
            entity.source,
            entity.path,
            entity.parent_guid,
            entity.description,
            entity.owners,
            entity.classification_names,
            entity.terms,
            entity.storage_format,
            entity.popularity,
            entity.deprecated,
            entity.updated_at,
            entity.created_at,
        )
    )


@lru_cache(maxsize=4096)
def _table_context(
    catalog: str | None, schema: str | None, table: str
) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """(tree keys, qualified-name words, exact qualified-name forms) of a table, for its columns."""
    keys = document_keys(EntityType.TABLE, ResourcePath(catalog, schema, table))[1]
    if keys == ("none/",):
        return (), "", ()
    words = " ".join(_words(p) for p in (catalog, schema, table) if p)
    parts = [p.lower() for p in (catalog, schema, table) if p]
    return keys, words, tuple(".".join(parts[i:]) for i in range(len(parts)))


def build_document(
    entity: Entity,
    columns: Sequence[Entity] = (),
    term_names: Mapping[str, str] | None = None,
) -> SearchDocument:
    """One entity's document; ``columns`` are a table's or view's columns, ``term_names`` maps
    glossary term guids to names."""
    path = entity.path
    name = entity.name
    if entity.type is EntityType.COLUMN and path.table is not None and path.column is not None:
        # columns share their table's part of the work
        parent_keys, parent_words, parent_exact = _table_context(path.catalog, path.schema, path.table)
        column = path.column.lower()
        acl_tree = (*parent_keys, f"x/{parent_keys[-1][2:]}.{column}") if parent_keys else ("none/",)
        qname_words = f"{parent_words} {_words(path.column)}"
        qname_exact = [entity.qualified_name.lower(), *(f"{p}.{column}" for p in parent_exact)]
    else:
        acl_tree = document_keys(entity.type, path)[1]
        key = path.key().lower()
        qname_exact = [entity.qualified_name.lower()]
        if key:
            parts = key.split(".")
            qname_exact.extend(".".join(parts[i:]) for i in range(len(parts) - 1))
        qname_words = " ".join(_words(p) for p in (path.catalog, path.schema, path.table, path.column) if p)
    acl_self = acl_tree[-1]
    leaf = (
        leaf_terms(acl_tree[:-1], path.column) if entity.type is EntityType.COLUMN and path.column else None
    )
    doc: SearchDocument = {
        "guid": entity.guid,
        "type": entity.type.value,
        "name": name,
        "qualified_name": entity.qualified_name,
        "source": entity.source,
        "name_exact": name.lower(),
        "qname_exact": qname_exact,
        "name_words": _words(name),
        "qname_words": qname_words,
        "acl_self": acl_self,
        "acl_tree": list(acl_tree),
        "name_sort": name.lower(),
        "popularity": entity.popularity,
        "rank_weight": rank_weight(entity.popularity, entity.deprecated),
        "updated_at": int(entity.updated_at or entity.created_at or 0),
        "deprecated": entity.deprecated,
    }
    if leaf and acl_self != "none/":
        doc["acl_leaf"] = leaf
    if path.catalog:
        doc["catalog"] = path.catalog
    if path.schema:
        doc["schema"] = path.schema
    if entity.parent_guid:
        doc["parent_guid"] = entity.parent_guid
    if entity.description:
        doc["description"] = entity.description
    if columns:
        ordered = sorted(columns, key=lambda c: (c.position or 0, c.name))
        doc["column_text"] = " ".join(
            f"{_words(c.name)} {c.description}" if c.description else _words(c.name) for c in ordered
        )
        doc["columns_json"] = json.dumps([[c.name, c.description] for c in ordered])
        if acl_self.startswith("t/"):
            doc["acl_cols"] = [term for c in ordered for term in leaf_terms(acl_tree, c.name)]
    names = term_names or {}
    terms = sorted({names[g] for g in entity.terms if g in names})
    classifications = entity.classification_names
    if entity.owners or classifications or terms:
        doc["keywords"] = " ".join((*entity.owners, *classifications, *terms))
        if entity.owners:
            doc["owner"] = list(entity.owners)
        if classifications:
            doc["classification"] = list(classifications)
        if terms:
            doc["term"] = terms
    if entity.storage_format:
        doc["format"] = entity.storage_format.lower()
    return doc


def term_document(term: GlossaryTerm, popularity: int = 0) -> SearchDocument:
    """A glossary term as a search document (its synonyms count as words of its name)."""
    qualified = f"{term.name}@{term.glossary}"
    doc: SearchDocument = {
        "guid": term.guid,
        "type": EntityType.GLOSSARY_TERM.value,
        "name": term.name,
        "qualified_name": qualified,
        "source": "",
        "name_exact": [term.name.lower(), *(s.lower() for s in term.synonyms)],
        "qname_exact": [qualified.lower()],
        "name_words": " ".join((_words(term.name), *(_words(s) for s in term.synonyms))),
        "qname_words": _words(term.glossary),
        "acl_self": GLOSSARY_KEY,
        "acl_tree": [GLOSSARY_KEY],
        "name_sort": term.name.lower(),
        "popularity": popularity,
        "rank_weight": rank_weight(popularity, False),
        "updated_at": 0,
        "deprecated": False,
    }
    description = term.short_description or term.long_description
    if description:
        doc["description"] = description
    return doc


def decode_columns(columns_json: str, table_keys: Sequence[str]) -> list[ColumnInfo]:
    """A table document's columns, each with its tree keys (the table's plus its own)."""
    if not columns_json or not table_keys or not table_keys[-1].startswith("t/"):
        return []
    base = "x/" + table_keys[-1][2:] + "."
    parents = tuple(table_keys)
    return [
        ColumnInfo(name, desc, (*parents, base + name.lower())) for name, desc in json.loads(columns_json)
    ]


def build_documents(entities: Iterable[Entity], terms: Sequence[GlossaryTerm]) -> list[SearchDocument]:
    """Documents for a whole catalog (tables gather their columns)."""
    wanted = [e for e in entities if e.type in SEARCHED_TYPES and e.type is not EntityType.GLOSSARY_TERM]
    columns: dict[str, list[Entity]] = {}
    for entity in wanted:
        if entity.type is EntityType.COLUMN and entity.parent_guid:
            columns.setdefault(entity.parent_guid, []).append(entity)
    names = {t.guid: t.name for t in terms}
    docs = [build_document(e, columns.get(e.guid, ()), names) for e in wanted]
    docs.extend(term_document(t) for t in terms)
    return docs
