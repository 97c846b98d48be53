"""Export the demo-like catalog to the Atlas REST stand-in, import it back, compare (no real Atlas here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.atlas import AtlasError, export_atlas, import_atlas, open_atlas
from catalog.model import EntityType
from tests.atlas.demo_like import CONTACT, CUSTOMER, RecordingSink, col, demo_catalog, demo_like
from tests.atlas.standin import AtlasStandin


@pytest.fixture
def standin() -> Iterator[AtlasStandin]:
    with AtlasStandin() as atlas:
        yield atlas


@pytest.fixture
def password_file(tmp_path: Path, standin: AtlasStandin) -> Path:
    path = tmp_path / "atlas-password"
    path.write_text(standin.credentials[1] + "\n", encoding="utf-8")
    return path


def test_standin_roundtrip_keeps_entities_curation_terms_and_lineage(
    standin: AtlasStandin, password_file: Path
) -> None:
    catalog = demo_catalog()
    port = open_atlas(standin.url, "admin", password_file)
    summary = export_atlas(port, catalog)
    assert summary.skipped == []
    assert summary.entities == {
        "trino_instance": 1,
        "trino_catalog": 2,
        "trino_schema": 2,
        "trino_table": 4,
        "trino_column": 13,
    }
    assert summary.created_types == []  # the stand-in has the Trino model, as recent Atlas builds do
    assert summary.created_classifications == ["PII", "Sensitive"]
    assert summary.processes == 1
    assert summary.column_lineages == 3

    sink = RecordingSink()
    report = import_atlas(port, sink, source="atlas")
    assert report.skipped == ()
    imported = {e.guid: e for e in sink.sources["atlas"]}
    original = {e.guid: e for e in catalog.entities()}
    # same guids: qualified names are rebuilt exactly, so the import lands on the harvested entities
    assert set(imported) == set(original)
    for guid, entity in original.items():
        got = imported[guid]
        assert (got.type, got.qualified_name, got.name, got.path) == (
            entity.type,
            entity.qualified_name,
            entity.name,
            entity.path,
        ), entity.qualified_name
        if entity.type is not EntityType.PROCESS:
            assert got.parent_guid == entity.parent_guid, entity.qualified_name
        if entity.type is EntityType.COLUMN:
            assert (got.data_type, got.position, got.nullable) == (
                entity.data_type,
                entity.position,
                entity.nullable,
            )
        assert got.location is None  # storage never leaves Lakegate
        assert got.storage_format is None
    process = next(e for e in imported.values() if e.type is EntityType.PROCESS)
    assert process.view_sql is not None
    assert "customer_contacts" in process.view_sql

    _, curations, _, edges = demo_like()
    for guid, curation in curations.items():
        got = sink.curations[guid]
        assert got.description == (curation.description or original[guid].description)
        assert got.owners == curation.owners
        assert {(c.name, tuple(sorted(c.attributes.items())), c.propagate) for c in got.classifications} == {
            (c.name, tuple(sorted(c.attributes.items())), c.propagate) for c in curation.classifications
        }
        assert set(got.terms) == set(curation.terms)
    # propagated PII (contact is derived from email and phone) stays Lakegate's to compute
    contact = col("customer_contacts", "contact")
    assert {c.name for c in original[contact].classifications} == {"PII"}
    assert contact not in sink.curations or not sink.curations[contact].classifications

    assert sorted(sink.terms) == sorted([CUSTOMER.guid, CONTACT.guid])
    assert sink.terms[CUSTOMER.guid] == CUSTOMER
    assert sink.terms[CONTACT.guid] == CONTACT
    assert set(sink.lineage["atlas"]) == set(edges)


def test_standin_reexport_updates_and_creates_nothing_new(standin: AtlasStandin, password_file: Path) -> None:
    port = open_atlas(standin.url, "admin", password_file)
    export_atlas(port, demo_catalog())
    count = len(standin.store.entities)
    again = export_atlas(port, demo_catalog())
    assert len(standin.store.entities) == count
    assert again.created_classifications == []
    assert again.created_terms == []
    assert again.term_assignments == 0


def test_standin_lineage_api_follows_exported_column_lineage(
    standin: AtlasStandin, password_file: Path
) -> None:
    port = open_atlas(standin.url, "admin", password_file)
    export_atlas(port, demo_catalog())
    email = port.entity_by_name("trino_column", "crm.main.customers.email@lakegate")
    assert email is not None
    answer = port.lineage(email["guid"], "OUTPUT", 1)
    names = {h["attributes"]["qualifiedName"] for h in answer["guidEntityMap"].values()}
    assert "crm.main.customer_contacts.contact@lakegate" in names
    assert "crm.main.customer_contacts.total_eur@lakegate" not in names
    table = port.entity_by_name("trino_table", "crm.main.contracts@lakegate")
    assert table is not None
    tables = port.lineage(table["guid"], "OUTPUT", 1)
    assert "crm.main.customer_contacts@lakegate" in {
        h["attributes"]["qualifiedName"] for h in tables["guidEntityMap"].values()
    }
    assert {h["typeName"] for h in tables["guidEntityMap"].values()} == {"trino_table", "trino_process"}


def test_standin_without_the_trino_model_gets_it_created() -> None:
    with AtlasStandin(with_trino_model=False) as atlas:
        from catalog.atlas import connect

        port = connect(atlas.url, *atlas.credentials)
        summary = export_atlas(port, demo_catalog())
        assert "trino_table" in summary.created_types
        assert "trino_table_columns" in summary.created_types
        assert len(atlas.entities_of("trino_column")) == 13
        table = atlas.entities_of("trino_table")[0]
        assert table["relationshipAttributes"]["trinoschema"]["typeName"] == "trino_schema"


def test_standin_refuses_a_wrong_password_without_echoing_it(standin: AtlasStandin, tmp_path: Path) -> None:
    wrong = tmp_path / "pw"
    wrong.write_text("not-the-password-xyz\n", encoding="utf-8")
    port = open_atlas(standin.url, "admin", wrong)
    with pytest.raises(AtlasError) as refused:
        export_atlas(port, demo_catalog())
    assert refused.value.status == 401
    assert "not-the-password-xyz" not in str(refused.value)


def test_unreachable_atlas_is_an_atlas_error(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("x\n", encoding="utf-8")
    port = open_atlas("http://127.0.0.1:9", "admin", pw)
    with pytest.raises(AtlasError, match="unreachable"):
        import_atlas(port, RecordingSink())


def test_empty_password_file_is_refused(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("", encoding="utf-8")
    with pytest.raises(AtlasError, match="no password"):
        open_atlas("http://127.0.0.1:9", "admin", pw)


def test_standin_existing_classification_def_without_an_attribute_keeps_the_tag(
    standin: AtlasStandin,
) -> None:
    standin.store.types.add({"classificationDefs": [{"name": "PII", "attributeDefs": []}]})
    from catalog.atlas import connect

    summary = export_atlas(connect(standin.url, *standin.credentials), demo_catalog())
    assert summary.created_classifications == ["Sensitive"]
    (email,) = [e for e in standin.entities_of("trino_column") if e["attributes"]["name"] == "email"]
    assert [(c["typeName"], c["attributes"]) for c in email["classifications"]] == [("PII", {})]
