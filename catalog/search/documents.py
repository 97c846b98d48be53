"""Search documents built from catalog entities: one per catalog, schema, table or view, column and
glossary term. Table documents also carry their columns' names and descriptions, so a query for a
column finds its table; what a principal may not see of them is kept out at query time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from catalog.model import Entity, EntityType, GlossaryTerm, ResourcePath
from catalog.search.access_keys import document_keys
from catalog.search.analysis import edge_ngrams, identifier_words, normalize_exact

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
_NO_PATH = ResourcePath()


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    description: str | None
    keys: tuple[str, ...]  # the column's tree keys (for per-principal visibility)


@dataclass(frozen=True, slots=True)
class SearchDocument:
    guid: str
    type: str
    name: str
    qualified_name: str
    source: str
    catalog: str
    schema: str
    parent_guid: str
    description: str
    name_exact: tuple[str, ...]
    qname_exact: tuple[str, ...]
    name_words: str
    qname_words: str
    prefixes: str
    column_text: str
    columns_json: str
    keywords: str
    owners: tuple[str, ...]
    classifications: tuple[str, ...]
    terms: tuple[str, ...]
    storage_format: str
    popularity: int
    deprecated: bool
    updated_at: int
    rank_weight: int
    acl_self: str
    acl_tree: tuple[str, ...]
    name_sort: str


def rank_weight(popularity: int, deprecated: bool) -> int:
    """Scores are multiplied by log2(2 + weight): deprecated entities by 1, others by at least 5."""
    return 0 if deprecated else RANK_WEIGHT_BASE + max(popularity, 0)


def _words(name: str) -> str:
    return " ".join(identifier_words(name))


def _qname_exact(entity: Entity) -> tuple[str, ...]:
    forms = {normalize_exact(entity.qualified_name)}
    key = entity.path.key()
    if key:
        parts = key.lower().split(".")
        for start in range(len(parts) - 1):
            forms.add(".".join(parts[start:]))
    return tuple(sorted(forms))


def build_document(
    entity: Entity,
    columns: Sequence[Entity] = (),
    term_names: Mapping[str, str] | None = None,
) -> SearchDocument:
    """One entity's document; ``columns`` are a table's or view's columns, ``term_names`` maps
    glossary term guids to names."""
    names = term_names or {}
    terms = tuple(sorted({names[g] for g in entity.terms if g in names}))
    acl_self, acl_tree = document_keys(entity.type, entity.path)
    column_infos = [
        ColumnInfo(c.name, c.description, document_keys(c.type, c.path)[1])
        for c in sorted(columns, key=lambda c: (c.position or 0, c.name))
    ]
    column_text = " ".join(f"{_words(c.name)} {c.description or ''}".strip() for c in column_infos)
    qname_parts = [p for p in (entity.path.catalog, entity.path.schema, entity.path.table) if p]
    qname_words = " ".join(_words(p) for p in (*qname_parts, entity.path.column or "") if p)
    keywords = " ".join((*entity.owners, *entity.classification_names, *terms))
    return SearchDocument(
        guid=entity.guid,
        type=entity.type.value,
        name=entity.name,
        qualified_name=entity.qualified_name,
        source=entity.source,
        catalog=entity.path.catalog or "",
        schema=entity.path.schema or "",
        parent_guid=entity.parent_guid or "",
        description=entity.description or "",
        name_exact=(normalize_exact(entity.name),),
        qname_exact=_qname_exact(entity),
        name_words=_words(entity.name),
        qname_words=qname_words or _words(entity.name),
        prefixes=" ".join(edge_ngrams(entity.name)),
        column_text=column_text,
        columns_json=json.dumps([[c.name, c.description, list(c.keys)] for c in column_infos])
        if column_infos
        else "",
        keywords=keywords,
        owners=tuple(entity.owners),
        classifications=entity.classification_names,
        terms=terms,
        storage_format=(entity.storage_format or "").lower(),
        popularity=entity.popularity,
        deprecated=entity.deprecated,
        updated_at=int(entity.updated_at or entity.created_at or 0),
        rank_weight=rank_weight(entity.popularity, entity.deprecated),
        acl_self=acl_self,
        acl_tree=acl_tree,
        name_sort=entity.name.lower(),
    )


def term_document(term: GlossaryTerm, popularity: int = 0) -> SearchDocument:
    """A glossary term as a search document (its synonyms count as words of its name)."""
    description = term.short_description or term.long_description or ""
    words = " ".join((_words(term.name), *(_words(s) for s in term.synonyms)))
    acl_self, acl_tree = document_keys(EntityType.GLOSSARY_TERM, _NO_PATH)
    return SearchDocument(
        guid=term.guid,
        type=EntityType.GLOSSARY_TERM.value,
        name=term.name,
        qualified_name=f"{term.name}@{term.glossary}",
        source="",
        catalog="",
        schema="",
        parent_guid="",
        description=description,
        name_exact=(normalize_exact(term.name), *(normalize_exact(s) for s in term.synonyms)),
        qname_exact=(normalize_exact(f"{term.name}@{term.glossary}"),),
        name_words=words,
        qname_words=_words(term.glossary),
        prefixes=" ".join(edge_ngrams(term.name)),
        column_text="",
        columns_json="",
        keywords="",
        owners=(),
        classifications=(),
        terms=(),
        storage_format="",
        popularity=popularity,
        deprecated=False,
        updated_at=0,
        rank_weight=rank_weight(popularity, False),
        acl_self=acl_self,
        acl_tree=acl_tree,
        name_sort=term.name.lower(),
    )


def decode_columns(columns_json: str) -> list[ColumnInfo]:
    if not columns_json:
        return []
    return [ColumnInfo(name, desc, tuple(keys)) for name, desc, keys in json.loads(columns_json)]


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
