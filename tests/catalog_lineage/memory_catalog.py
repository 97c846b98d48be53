"""An in-memory CatalogReader for tests: harvested entities + curation merged, propagation applied."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from catalog.lineage.propagation import propagate_classifications
from catalog.model import (
    Classification,
    Curation,
    Entity,
    EntityType,
    GlossaryTerm,
    HarvestedEntity,
    LineageEdge,
    ResourcePath,
    entity_guid,
    qualified_name,
)

#: {catalog: {schema: {table: [(column, type), ...]}}}
Tree = Mapping[str, Mapping[str, Mapping[str, Sequence[tuple[str, str]]]]]


def harvest_tree(
    instance: str, tree: Tree, *, views: Mapping[str, str] | None = None
) -> list[HarvestedEntity]:
    """Harvested entities for a source, its catalogs, schemas, tables and columns.

    ``views`` maps ``catalog.schema.table`` to the view's SQL: those become views.
    """
    views = views or {}
    source = HarvestedEntity(EntityType.SOURCE, qualified_name(instance), instance, instance, ResourcePath())
    out = [source]
    for cat, schemas in tree.items():
        cat_qn = qualified_name(instance, cat)
        out.append(
            HarvestedEntity(EntityType.CATALOG, cat_qn, cat, cat, ResourcePath(cat), parent_guid=source.guid)
        )
        for sch, tables in schemas.items():
            sch_qn = qualified_name(instance, cat, sch)
            sch_guid = entity_guid(EntityType.SCHEMA, sch_qn)
            out.append(
                HarvestedEntity(
                    EntityType.SCHEMA,
                    sch_qn,
                    sch,
                    cat,
                    ResourcePath(cat, sch),
                    parent_guid=entity_guid(EntityType.CATALOG, cat_qn),
                )
            )
            for tbl, columns in tables.items():
                sql = views.get(f"{cat}.{sch}.{tbl}")
                kind = EntityType.VIEW if sql else EntityType.TABLE
                tbl_qn = qualified_name(instance, cat, sch, tbl)
                table = HarvestedEntity(
                    kind,
                    tbl_qn,
                    tbl,
                    cat,
                    ResourcePath(cat, sch, tbl),
                    parent_guid=sch_guid,
                    view_sql=sql,
                    location=f"/secret/{cat}/{tbl}.parquet",
                    storage_format="parquet",
                )
                out.append(table)
                for pos, (col, typ) in enumerate(columns, 1):
                    out.append(
                        HarvestedEntity(
                            EntityType.COLUMN,
                            qualified_name(instance, cat, sch, tbl, col),
                            col,
                            cat,
                            ResourcePath(cat, sch, tbl, col),
                            parent_guid=table.guid,
                            data_type=typ,
                            position=pos,
                            nullable=True,
                        )
                    )
    return out


class MemoryCatalog:
    def __init__(
        self,
        harvested: Iterable[HarvestedEntity],
        curations: Mapping[str, Curation] | None = None,
        terms: Sequence[GlossaryTerm] = (),
        edges: Sequence[LineageEdge] = (),
    ) -> None:
        self._harvested = {h.guid: h for h in harvested}
        self._curations = dict(curations or {})
        self._terms = list(terms)
        self._edges = list(edges)
        own = {guid: c.classifications for guid, c in self._curations.items()}
        propagated = propagate_classifications(self._edges, own)
        self._entities = {
            guid: self._merge(h, propagated.get(guid, ())) for guid, h in self._harvested.items()
        }
        digest = hashlib.sha256(repr((sorted(self._entities), self._edges)).encode())
        self._version = digest.hexdigest()[:12]

    def _merge(self, h: HarvestedEntity, propagated: Sequence[Classification]) -> Entity:
        c = self._curations.get(h.guid, Curation())
        return Entity(
            guid=h.guid,
            type=h.type,
            qualified_name=h.qualified_name,
            name=h.name,
            source=h.source,
            path=h.path,
            parent_guid=h.parent_guid,
            description=c.description or h.comment,
            owners=c.owners,
            data_type=h.data_type,
            position=h.position,
            nullable=h.nullable,
            storage_format=h.storage_format,
            location=h.location,
            row_count=h.row_count,
            size_bytes=h.size_bytes,
            view_sql=h.view_sql,
            classifications=tuple(c.classifications) + tuple(propagated),
            terms=c.terms,
            deprecated=c.deprecated,
            created_at=h.created_at,
        )

    def entities_harvested(self) -> list[HarvestedEntity]:
        return list(self._harvested.values())

    @property
    def version(self) -> str:
        return self._version

    def entity(self, guid: str) -> Entity | None:
        return self._entities.get(guid)

    def entities(self) -> Iterable[Entity]:
        return list(self._entities.values())

    def children(self, guid: str) -> Sequence[Entity]:
        return [e for e in self._entities.values() if e.parent_guid == guid]

    def terms(self) -> Sequence[GlossaryTerm]:
        return list(self._terms)

    def lineage_edges(self) -> Sequence[LineageEdge]:
        return list(self._edges)
