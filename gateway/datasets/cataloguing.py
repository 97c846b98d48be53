"""Each dataset in the metadata catalog: its owner, and column lineage from its sources.

The harvest of the workspace catalog makes the entity (a table or a view, with its description,
columns and defining SQL); this adds the owner and a lineage process from the defining SQL
(sqlglot's column lineage, :mod:`catalog.lineage.sql`). Classifications then flow along that
lineage (a column computed from a ``PII`` column is ``PII``), so tag policies follow the data.
"""

from __future__ import annotations

import logging

from catalog.lineage.sql import LineageError, TableRef, derive_lineage
from catalog.metadata import MetadataSnapshot
from catalog.model import EntityType, entity_guid
from catalog.service import CatalogService, UnknownEntity
from catalog.store.backends import StoreError
from gateway.datasets.model import Dataset

log = logging.getLogger(__name__)
SOURCE = "datasets"


def process_guid(catalog: CatalogService, dataset: Dataset) -> str:
    return entity_guid(EntityType.PROCESS, f"{dataset.qualified}@{catalog.instance}")


def catalogue(
    catalog: CatalogService, snapshot: MetadataSnapshot, dataset: Dataset, *, set_owner: bool
) -> str | None:
    """Record the owner and lineage of a dataset the harvest has just found; returns a problem
    to report (the dataset itself stands either way), or None."""
    entity = catalog.find(dataset.qualified)
    if entity is None:
        return f"{dataset.qualified} is not in the catalog yet"
    try:
        if set_owner:
            catalog.update(entity.guid, user=dataset.owner, owners=[dataset.owner])
    except (UnknownEntity, StoreError) as exc:
        log.warning("the owner of %s could not be recorded: %s", dataset.qualified, exc)

    def dataset_type(c: str, s: str, t: str) -> EntityType:
        info = snapshot.table(c, s, t)
        return EntityType.VIEW if info is not None and info.kind == "VIEW" else EntityType.TABLE

    try:
        derived = derive_lineage(
            dataset.sql,
            snapshot.sqlglot_schema(),
            instance=catalog.instance,
            source=SOURCE,
            name=dataset.qualified,
            target=TableRef(dataset.catalog, dataset.schema, dataset.name),
            columns=[c.name for c in dataset.columns] or None,
            dialect="trino",
            default_catalog=dataset.session_catalog,
            default_schema=dataset.session_schema,
            dataset_type=dataset_type,
            process_suffix="dataset",
            target_type=EntityType.VIEW if dataset.kind.value == "VIEW" else EntityType.TABLE,
        )
        pairs = [(e.input_guid, e.output_guid) for e in derived.edges]
        catalog.put_lineage(dataset.qualified, pairs, sql=dataset.sql, user=dataset.owner)
    except (LineageError, UnknownEntity, StoreError) as exc:
        log.warning("the lineage of %s could not be recorded: %s", dataset.qualified, exc)
        return f"the lineage of {dataset.qualified} could not be recorded: {exc}"
    return None


def forget(catalog: CatalogService, dataset: Dataset) -> None:
    """A dropped (or renamed) dataset's lineage process goes with it."""
    try:
        catalog.remove_lineage(process_guid(catalog, dataset))
    except StoreError as exc:
        log.warning("the lineage of %s could not be removed: %s", dataset.qualified, exc)
