"""Applying a curation seed (``catalog.seed``, e.g. the demo's ``catalog.yaml``) to the catalog.

The seed is what stewards would have said on day one: glossary terms, descriptions, owners,
classifications and registered queries (lineage). It never overrides a steward: an entity that
already has curation keeps it, a term that exists keeps its text. Registered queries are recorded
again at every start (same name: same process, its edges replaced). Entities the seed names that
the catalog does not hold are reported, not invented.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from catalog.curation_seed import CurationSeed
from catalog.lineage.sql import LineageError
from catalog.metadata import MetadataSnapshot
from catalog.model import EntityType
from catalog.service import CatalogService, UnknownEntity

log = logging.getLogger(__name__)
SEED_USER = "catalog-seed"


@dataclass(slots=True)
class SeedReport:
    terms: int = 0
    curated: int = 0
    kept: int = 0
    queries: int = 0
    problems: list[str] = field(default_factory=list)


def apply_seed(service: CatalogService, seed: CurationSeed, snapshot: MetadataSnapshot) -> SeedReport:
    report = SeedReport()
    known_terms = {t.guid for t in service.terms()}
    for term in seed.terms:
        if term.guid not in known_terms:
            service.store.put_term(term)
            report.terms += 1
    curated = service.store.curations()
    for guid, curation in seed.curations(service.instance).items():
        if guid in curated:
            report.kept += 1
            continue
        entity = service.entity(guid)
        if entity is None:
            report.problems.append(f"the seed describes {guid}, which the catalog does not hold")
            continue
        service.update(
            guid,
            user=SEED_USER,
            description=curation.description,
            owners=curation.owners,
            deprecated=curation.deprecated,
        )
        for tag in curation.classifications:
            service.add_classification(
                guid, tag.name, user=SEED_USER, attributes=tag.attributes, propagate=tag.propagate
            )
        for term_guid in curation.terms:
            service.assign_term(guid, term_guid)
        report.curated += 1

    def dataset_type(catalog: str, schema: str, table: str) -> EntityType:
        info = snapshot.table(catalog, schema, table)
        return EntityType.VIEW if info is not None and info.kind == "VIEW" else EntityType.TABLE

    try:
        derived = seed.lineage(snapshot.sqlglot_schema(), service.instance, dataset_type=dataset_type)
    except LineageError as exc:
        report.problems.append(f"a registered query has no lineage: {exc}")
        derived = []
    for item in derived:
        pairs = [(e.input_guid, e.output_guid) for e in item.edges]
        try:
            service.put_lineage(item.process.name, pairs, sql=item.process.view_sql, user=SEED_USER)
            report.queries += 1
        except UnknownEntity as exc:
            report.problems.append(
                f"registered query {item.process.name!r} names {exc.args[0]}, not in the catalog"
            )
    for problem in report.problems:
        log.warning("catalog seed: %s", problem)
    return report
