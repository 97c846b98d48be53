"""Classifications from the catalog feed tag policies; metadata edits need Ranger's `alter`."""

from __future__ import annotations

import json
from pathlib import Path

from auth.authorizer import Authorizer
from auth.identity import Identity
from gateway.demo.policies import demo_policies

ADA = Identity("ada", ("analysts",))
SAM = Identity("sam", ("support",))


def _authorizer(tmp_path: Path, doc: dict[str, object] | None = None) -> Authorizer:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(doc or demo_policies()), encoding="utf-8")
    return Authorizer(path, tags={"crm.main.customers.phone": ["PII"]}, reload_seconds=0)


def test_a_catalog_classification_masks_a_column_through_the_tag_policy(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    table = ("crm", "main", "customers")
    assert authorizer.data_mask(ADA, table, "name").mask_type is None
    before = authorizer.version

    authorizer.set_catalog_tags({"crm.main.customers.name": ["PII"]}, "v1")

    assert authorizer.data_mask(ADA, table, "name").mask_type == "MASK"
    assert authorizer.version != before, "cached plans must not survive a tag change"
    # the configured tag is kept beside the catalog's
    assert authorizer.data_mask(ADA, table, "phone").mask_type == "MASK"


def test_removing_a_catalog_classification_unmasks_the_column(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    table = ("crm", "main", "customers")
    authorizer.set_catalog_tags({"crm.main.customers.name": ["PII"]}, "v1")
    assert authorizer.data_mask(ADA, table, "name").mask_type == "MASK"
    authorizer.set_catalog_tags({}, "v2")
    assert authorizer.data_mask(ADA, table, "name").mask_type is None
    # a configured tag cannot be removed through the catalog
    assert authorizer.data_mask(ADA, table, "phone").mask_type == "MASK"


def test_a_table_classification_reaches_its_columns(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path)
    table = ("crm", "main", "customers")
    authorizer.set_catalog_tags({"crm.main.customers": ["PII"]}, "v1")
    assert authorizer.data_mask(ADA, table, "email").mask_type == "MASK"
    assert authorizer.data_mask(ADA, table, "name").mask_type == "MASK"


def _with_alter_policy() -> dict[str, object]:
    doc = demo_policies()
    policies = doc["policies"]
    assert isinstance(policies, list)
    policies.append(
        {
            "id": 900,
            "name": "stewards edit the CRM's metadata",
            "service": doc["serviceName"],
            "policyType": 0,
            "isEnabled": True,
            "resources": {
                "catalog": {"values": ["crm"]},
                "schema": {"values": ["main"]},
                "table": {"values": ["*"]},
            },
            "policyItems": [{"users": ["sam"], "accesses": [{"type": "alter", "isAllowed": True}]}],
            "denyPolicyItems": [
                {"users": ["sam"], "accesses": [{"type": "alter", "isAllowed": True}]},
            ],
            "denyExceptions": [],
        }
    )
    policies.append(
        {
            "id": 901,
            "name": "nobody edits support tickets' metadata",
            "service": doc["serviceName"],
            "policyType": 0,
            "isEnabled": True,
            "resources": {
                "catalog": {"values": ["crm"]},
                "schema": {"values": ["main"]},
                "table": {"values": ["support_tickets"]},
            },
            "denyPolicyItems": [{"groups": ["public"], "accesses": [{"type": "alter", "isAllowed": True}]}],
        }
    )
    # the first policy's deny item would make it useless; keep only its allow
    first = policies[-2]
    assert isinstance(first, dict)
    first.pop("denyPolicyItems")
    return doc


def test_metadata_edits_need_alter_on_the_table(tmp_path: Path) -> None:
    authorizer = _authorizer(tmp_path, _with_alter_policy())
    allowed = authorizer.check_alter(SAM, "crm", "main", "customers")
    assert allowed.allowed
    assert (allowed.policy_id, allowed.access_type) == (900, "alter")
    denied = authorizer.check_alter(SAM, "crm", "main", "support_tickets")
    assert not denied.allowed
    assert denied.policy_id == 901
    # select on a table does not grant editing its metadata
    assert not authorizer.check_alter(SAM, "lake", "shipping", "voyages").allowed
