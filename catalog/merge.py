"""The merged view of the catalog: harvested facts, curation on top, classifications propagated.

A classification put on a table flows to its columns, and one on a column (own or inherited)
flows along lineage to the columns derived from it, unless its ``propagate`` is off; what flowed
is marked with the guid it came from (``propagated_from``). An entity's own classification of
the same name wins over a propagated one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from catalog.model import LOCAL_ATTRIBUTES, Classification, Curation, Entity, EntityType, LineageEdge
from catalog.store.store import StoredEntity

_NONE = Curation()


def merge(
    stored: Sequence[StoredEntity],
    curations: Mapping[str, Curation],
    edges: Sequence[LineageEdge],
    popularity: Mapping[str, int],
) -> dict[str, Entity]:
    """Every active entity, merged, by guid (in the store's order)."""
    own: dict[str, tuple[Classification, ...]] = {}
    for item in stored:
        curation = curations.get(item.guid)
        if curation is not None and curation.classifications:
            own[item.guid] = curation.classifications
    tags = _propagate(stored, own, edges)
    merged: dict[str, Entity] = {}
    for item in stored:
        h = item.harvested
        guid = item.guid
        curation = curations.get(guid, _NONE)
        updated = max(item.updated_at, curation.updated_at or 0.0)
        table_key = h.path.key() if h.type in (EntityType.TABLE, EntityType.VIEW) else None
        merged[guid] = Entity(
            guid=guid,
            type=h.type,
            qualified_name=h.qualified_name,
            name=h.name,
            source=h.source,
            path=h.path,
            parent_guid=h.parent_guid,
            description=curation.description if curation.description is not None else h.comment,
            owners=curation.owners,
            data_type=h.data_type,
            position=h.position,
            nullable=h.nullable,
            storage_format=h.storage_format,
            location=h.location,
            row_count=h.row_count,
            size_bytes=h.size_bytes,
            view_sql=h.view_sql,
            classifications=tags.get(guid, ()),
            terms=curation.terms,
            deprecated=curation.deprecated,
            popularity=popularity.get(table_key.lower(), 0) if table_key else 0,
            created_at=h.created_at if h.created_at is not None else item.first_seen,
            updated_at=updated,
        )
    return merged


def _propagate(
    stored: Sequence[StoredEntity],
    own: Mapping[str, tuple[Classification, ...]],
    edges: Sequence[LineageEdge],
) -> dict[str, tuple[Classification, ...]]:
    result: dict[str, dict[str, Classification]] = {g: {c.name: c for c in cs} for g, cs in own.items()}

    def give(target: str, tag: Classification, origin: str, *, derived: bool = False) -> bool:
        held = result.setdefault(target, {})
        if tag.name in held:
            return False
        # along lineage the data is copied: what held only of the origin stays there (masked_by)
        attributes = (
            {k: v for k, v in tag.attributes.items() if k not in LOCAL_ATTRIBUTES}
            if derived
            else tag.attributes
        )
        held[tag.name] = Classification(tag.name, attributes, tag.propagate, origin)
        return True

    # table -> its columns
    for item in stored:
        h = item.harvested
        parent = h.parent_guid
        if h.type is EntityType.COLUMN and parent is not None and parent in own:
            for tag in own[parent]:
                if tag.propagate:
                    give(item.guid, tag, parent)
    # along lineage, to a fixpoint (bounded: each pass adds at least one tag or stops)
    outputs: dict[str, list[str]] = {}
    for edge in edges:
        outputs.setdefault(edge.input_guid, []).append(edge.output_guid)
    pending = [g for g in result if g in outputs]
    while pending:
        source = pending.pop()
        for tag in list(result.get(source, {}).values()):
            if not tag.propagate:
                continue
            origin = tag.propagated_from or source
            for target in outputs.get(source, ()):
                if target != origin and give(target, tag, origin, derived=True) and target in outputs:
                    pending.append(target)
    return {g: tuple(sorted(tags.values(), key=lambda c: c.name)) for g, tags in result.items() if tags}
