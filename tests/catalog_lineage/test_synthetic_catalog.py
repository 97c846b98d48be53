"""The synthetic catalog behind `lakegate demo --catalog-size N`: exact, consistent, varied, fast."""

from __future__ import annotations

import statistics
import time
from collections import Counter

import pytest

from catalog.model import EntityType
from gateway.demo.synthetic_catalog import synthetic_catalog, synthetic_terms, to_entity


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1000, 12_345])
def test_exactly_size_rows(size: int) -> None:
    assert sum(1 for _ in synthetic_catalog(size)) == size


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a = [r.harvested for r in synthetic_catalog(3000, seed=1)]
    b = [r.harvested for r in synthetic_catalog(3000, seed=1)]
    c = [r.harvested for r in synthetic_catalog(3000, seed=2)]
    assert a == b
    assert a != c


def test_hierarchy_is_whole_and_guids_unique() -> None:
    rows = list(synthetic_catalog(20_000))
    guids = [r.harvested.guid for r in rows]
    assert len(set(guids)) == len(guids)
    known: set[str] = set()
    for row in rows:  # a parent always comes before its children
        h = row.harvested
        if h.type is EntityType.SOURCE:
            assert h.parent_guid is None
        else:
            assert h.parent_guid in known, h.qualified_name
        known.add(h.guid)
    kinds = Counter(r.harvested.type for r in rows)
    assert kinds[EntityType.SOURCE] == 6
    tables = kinds[EntityType.TABLE] + kinds[EntityType.VIEW]
    assert 0.07 < tables / len(rows) < 0.15  # about one table or view in ten entities
    assert kinds[EntityType.VIEW] > 0


def test_names_tags_owners_terms_and_popularity_look_real() -> None:
    rows = list(synthetic_catalog(50_000))
    tables = [r for r in rows if r.harvested.type in (EntityType.TABLE, EntityType.VIEW)]
    columns = [r for r in rows if r.harvested.type is EntityType.COLUMN]
    assert any(any(ch.isupper() for ch in r.harvested.name) for r in tables)  # camelCase names exist
    assert any("_" in r.harvested.name for r in tables)
    pii = [r for r in columns if r.curation and any(c.name == "PII" for c in r.curation.classifications)]
    assert pii
    assert all(
        r.harvested.name.lower().replace("_", "")
        in {"email", "phonenumber", "fullname", "birthdate", "homeaddress", "ipaddress", "nationalid"}
        for r in pii
    )
    assert all(r.curation and r.curation.owners for r in tables)
    assert len({o for r in tables if r.curation for o in r.curation.owners}) >= 20
    term_guids = {t.guid for t in synthetic_terms()}
    assigned = {t for r in rows if r.curation for t in r.curation.terms}
    assert assigned <= term_guids
    assert len(assigned) >= 10
    described = [r for r in tables if r.curation and r.curation.description]
    assert 0.4 < len(described) / len(tables) < 0.8
    popularity = [r.popularity for r in tables]
    assert min(popularity) >= 0
    assert max(popularity) > 20 * max(1, statistics.median(popularity))  # a long tail
    assert any(r.curation and r.curation.deprecated for r in tables)
    entity = to_entity(tables[0])
    assert entity.guid == tables[0].harvested.guid
    assert entity.popularity == tables[0].popularity


def test_a_hundred_thousand_rows_take_seconds_not_minutes() -> None:
    started = time.process_time()
    assert sum(1 for _ in synthetic_catalog(100_000)) == 100_000
    assert time.process_time() - started < 20  # about 2 s of CPU on the 2-vCPU test machine
