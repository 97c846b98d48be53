"""The demo's access policies, in Apache Ranger's own JSON (a Trino service's policy export).

Users and groups (see the README):
- ``root`` (group ``admins``): everything, unmasked; may read the audit log and all queries.
- ``ada`` (group ``analysts``): TPC-H, the lake and the CRM, with personal data masked.
- ``sam`` (groups ``support``, ``emea``): customers and support tickets of region EMEA only,
  never the national id.
- ``eve``: nothing at all.

Metadata edits need ``alter``: root on every catalog, ada (analysts) on the CRM tables she reads.

The ``workspace`` catalog takes datasets: analysts and support define views and materialised
tables (``create``, ``alter``, ``drop``, ``select``) in a schema named after themselves; analysts
also in ``shared``, which support may read; admins everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

POLICIES_NAME = "policies.json"
SERVICE = "lakegate"
#: classifications for tag-based policies (config key policies.tags)
TAGS = {"crm.main.customers.phone": ["PII"]}


def _resources(catalog: str, schema: str = "*", table: str = "*", column: str = "*") -> dict[str, Any]:
    return {
        "catalog": {"values": [catalog]},
        "schema": {"values": [schema]},
        "table": {"values": [table]},
        "column": {"values": [column]},
    }


def _select(users: list[str], groups: list[str]) -> dict[str, Any]:
    return {"users": users, "groups": groups, "accesses": [{"type": "select", "isAllowed": True}]}


def _alter(users: list[str], groups: list[str]) -> dict[str, Any]:
    return {"users": users, "groups": groups, "accesses": [{"type": "alter", "isAllowed": True}]}


def _define(users: list[str], groups: list[str]) -> dict[str, Any]:
    return {
        "users": users,
        "groups": groups,
        "accesses": [{"type": t, "isAllowed": True} for t in ("select", "create", "alter", "drop")],
    }


def _access(pid: int, name: str, resources: dict[str, Any], **items: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "service": SERVICE,
        "policyType": 0,
        "isEnabled": True,
        "resources": resources,
        **items,
    }


def _mask(users: list[str], groups: list[str], mask: str, value: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"dataMaskType": mask}
    if value is not None:
        info["valueExpr"] = value
    return {**_select(users, groups), "dataMaskInfo": info}


def _filter(users: list[str], groups: list[str], expression: str) -> dict[str, Any]:
    return {**_select(users, groups), "rowFilterInfo": {"filterExpr": expression}}


def _customers_column(column: str) -> dict[str, Any]:
    return _resources("crm", "main", "customers", column)


def demo_policies() -> dict[str, Any]:
    admins = _select(["root"], ["admins"])
    unmasked = _mask(["root"], ["admins"], "MASK_NONE")
    policies = [
        _access(1, "admins: everything", _resources("*"), policyItems=[admins]),
        _access(
            2,
            "everyone: TPC-H and the lake",
            {
                "catalog": {"values": ["tpch", "lake"]},
                "schema": {"values": ["*"]},
                "table": {"values": ["*"]},
                "column": {"values": ["*"]},
            },
            policyItems=[_select(["ada", "sam"], ["analysts", "support"])],
        ),
        _access(
            3,
            "crm customers",
            _resources("crm", "main", "customers"),
            policyItems=[_select(["ada", "sam"], ["analysts", "support"])],
        ),
        _access(
            4,
            "support never sees national ids",
            _customers_column("national_id"),
            denyPolicyItems=[_select(["sam"], ["support"])],
        ),
        _access(
            5,
            "support tickets",
            _resources("crm", "main", "support_tickets"),
            policyItems=[_select(["sam"], ["support"])],
        ),
        _access(
            6,
            "contracts",
            _resources("crm", "main", "contracts"),
            policyItems=[_select(["ada"], ["analysts"])],
        ),
        # Metadata edits (descriptions, owners, classifications, terms) need alter, as Trino's
        # Ranger plugin asks for COMMENT ON.
        _access(
            7,
            "admins curate every catalog's metadata",
            {"catalog": {"values": ["*"]}, "schema": {"values": ["*"]}, "table": {"values": ["*"]}},
            policyItems=[_alter(["root"], ["admins"])],
        ),
        _access(
            8,
            "analysts curate the metadata of the CRM tables they read",
            # alter is an access like any other: it makes a table visible in listings, so it is
            # granted only where the analysts may already select
            {
                "catalog": {"values": ["crm"]},
                "schema": {"values": ["main"]},
                "table": {"values": ["customers", "contracts"]},
            },
            policyItems=[_alter(["ada"], ["analysts"])],
        ),
        # Derived datasets (the workspace catalog): readers need select on the dataset itself.
        _access(
            30,
            "workspace: everyone defines datasets in a schema of their own",
            _resources("workspace", "{USER}"),
            policyItems=[_define(["ada", "sam"], ["analysts", "support"])],
        ),
        _access(
            31,
            "workspace: analysts share datasets in shared",
            _resources("workspace", "shared"),
            policyItems=[_define(["ada"], ["analysts"]), _select(["sam"], ["support"])],
        ),
        _access(
            32,
            "workspace: admins manage every dataset",
            _resources("workspace"),
            policyItems=[_define(["root"], ["admins"])],
        ),
        {
            "id": 10,
            "name": "mask e-mail",
            "service": SERVICE,
            "policyType": 1,
            "isEnabled": True,
            "resources": _customers_column("email"),
            "dataMaskPolicyItems": [
                unmasked,
                _mask(["ada", "sam"], ["analysts", "support"], "MASK_SHOW_LAST_4"),
            ],
        },
        {
            "id": 11,
            "name": "hash national id",
            "service": SERVICE,
            "policyType": 1,
            "isEnabled": True,
            "resources": _customers_column("national_id"),
            "dataMaskPolicyItems": [unmasked, _mask(["ada"], ["analysts"], "MASK_HASH")],
        },
        {
            "id": 12,
            "name": "initials only",
            "service": SERVICE,
            "policyType": 1,
            "isEnabled": True,
            "resources": _customers_column("full_name"),
            "dataMaskPolicyItems": [
                unmasked,
                _mask(["ada"], ["analysts"], "CUSTOM", "substr({col}, 1, 1) || '.'"),
            ],
        },
        {
            "id": 13,
            "name": "no country for analysts",
            "service": SERVICE,
            "policyType": 1,
            "isEnabled": True,
            "resources": _customers_column("country"),
            "dataMaskPolicyItems": [unmasked, _mask(["ada"], ["analysts"], "MASK_NULL")],
        },
        {
            "id": 20,
            "name": "support sees EMEA customers",
            "service": SERVICE,
            "policyType": 2,
            "isEnabled": True,
            "resources": {k: v for k, v in _resources("crm", "main", "customers").items() if k != "column"},
            "rowFilterPolicyItems": [_filter(["sam"], ["support"], "region = 'EMEA'")],
        },
        {
            "id": 21,
            "name": "support sees EMEA tickets",
            "service": SERVICE,
            "policyType": 2,
            "isEnabled": True,
            "resources": {
                k: v for k, v in _resources("crm", "main", "support_tickets").items() if k != "column"
            },
            "rowFilterPolicyItems": [_filter(["sam"], ["support"], "region = 'EMEA'")],
        },
    ]
    tag_policies = [
        {
            "id": 100,
            "name": "PII is redacted for analysts",
            "service": "tags",
            "policyType": 1,
            "isEnabled": True,
            "resources": {"tag": {"values": ["PII"]}},
            "dataMaskPolicyItems": [
                {
                    "users": ["ada"],
                    "groups": ["analysts"],
                    "accesses": [{"type": "trino:select", "isAllowed": True}],
                    "dataMaskInfo": {"dataMaskType": "trino:MASK"},
                    # PII that a column policy masks its own way says so (the catalog's
                    # masked_by attribute): tag policies come first in Ranger and would decide it
                    "conditions": [{"type": "expression", "values": ["!HAS_TAG_ATTR('masked_by')"]}],
                },
            ],
        },
    ]
    return {
        "serviceName": SERVICE,
        "serviceType": "trino",
        "policies": policies,
        "tagPolicyInfo": {"serviceName": "tags", "tagPolicies": tag_policies},
    }


def write_policies(demo_dir: Path) -> Path:
    path = demo_dir / POLICIES_NAME
    path.write_text(json.dumps(demo_policies(), indent=2) + "\n", encoding="utf-8")
    return path
