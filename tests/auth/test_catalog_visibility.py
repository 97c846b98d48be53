"""Which catalog entities a user sees: the same policies as listings, plus the rules for the rest."""

from __future__ import annotations

import json
from pathlib import Path

from auth.authorizer import Authorizer
from auth.catalog_visibility import CatalogVisibility
from auth.identity import Identity
from catalog.model import Entity, EntityType, ResourcePath, entity_guid, qualified_name
from gateway.demo.policies import demo_policies

EVE = Identity("eve", ())
SAM = Identity("sam", ("support",))
ROOT = Identity("root", ("admins",))


def _entity(entity_type: EntityType, path: ResourcePath) -> Entity:
    name = qualified_name("lakegate", path.catalog, path.schema, path.table, path.column)
    return Entity(
        guid=entity_guid(entity_type, name),
        type=entity_type,
        qualified_name=name,
        name=path.column or path.table or path.schema or path.catalog or "lakegate",
        source="embedded",
        path=path,
        location="/data/crm.sqlite",
        storage_format="sqlite",
    )


def _authorizer(tmp_path: Path) -> Authorizer:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(demo_policies()), encoding="utf-8")
    return Authorizer(path, admin_users=["root"], reload_seconds=0)


CUSTOMERS = _entity(EntityType.TABLE, ResourcePath("crm", "main", "customers"))
NATIONAL_ID = _entity(EntityType.COLUMN, ResourcePath("crm", "main", "customers", "national_id"))
EMAIL = _entity(EntityType.COLUMN, ResourcePath("crm", "main", "customers", "email"))
TERM = _entity(EntityType.GLOSSARY_TERM, ResourcePath())
SOURCE = _entity(EntityType.SOURCE, ResourcePath())
PROCESS = _entity(EntityType.PROCESS, ResourcePath())


def test_tables_and_columns_follow_the_policies(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    sam = CatalogVisibility(authorizer, SAM)
    eve = CatalogVisibility(authorizer, EVE)
    assert sam.sees(CUSTOMERS)
    assert sam.sees(EMAIL)
    assert not sam.sees(NATIONAL_ID), "a denied column is not visible"
    assert not eve.sees(CUSTOMERS)
    assert not eve.sees(EMAIL)


def test_terms_for_everyone_sources_for_admins_processes_by_their_ends(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    ends = {PROCESS.guid: [CUSTOMERS, EMAIL]}
    sam = CatalogVisibility(authorizer, SAM, lambda guid: ends.get(guid, []))
    assert sam.sees(TERM)
    assert not sam.sees(SOURCE)
    assert sam.sees(PROCESS)
    ends[PROCESS.guid].append(NATIONAL_ID)
    assert not sam.sees(PROCESS), "a process naming a hidden column is hidden"
    assert not CatalogVisibility(authorizer, SAM).sees(PROCESS)
    assert CatalogVisibility(authorizer, ROOT).sees(SOURCE)


def test_storage_location_is_for_admins_only(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    redacted = CatalogVisibility(authorizer, SAM).redact(CUSTOMERS)
    assert (redacted.location, redacted.storage_format) == (None, None)
    kept = CatalogVisibility(authorizer, ROOT).redact(CUSTOMERS)
    assert kept.location == "/data/crm.sqlite"
