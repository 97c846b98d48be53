"""``evaluate_files`` and the loader's accepted document shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auth.policy import AccessRequest, PolicyEngine
from auth.policy.cli import evaluate_files, main
from auth.policy.loader import bundle_from_json, loads, strip_trailing_commas

EXPORT = {
    "metaDataInfo": {"Exported by": "admin"},
    "policies": [
        {
            "id": 11,
            "name": "sales readers",
            "service": "trino_prod",
            "serviceType": "trino",
            "resources": {
                "catalog": {"values": ["sales"]},
                "schema": {"values": ["*"]},
                "table": {"values": ["*"]},
                "column": {"values": ["*"]},
            },
            "policyItems": [{"accesses": [{"type": "select", "isAllowed": True}], "groups": ["analysts"]}],
            "someFutureKey": {"ignored": True},
        },
        {
            "id": 12,
            "name": "mask card numbers",
            "serviceType": "trino",
            "policyType": 1,
            "resources": {
                "catalog": {"values": ["sales"]},
                "schema": {"values": ["crm"]},
                "table": {"values": ["customers"]},
                "column": {"values": ["card"]},
            },
            "dataMaskPolicyItems": [
                {
                    "accesses": [{"type": "select"}],
                    "groups": ["analysts"],
                    "dataMaskInfo": {"dataMaskType": "MASK_SHOW_LAST_4"},
                }
            ],
        },
        {
            "id": 13,
            "name": "emea only",
            "serviceType": "trino",
            "policyType": 2,
            "resources": {
                "catalog": {"values": ["sales"]},
                "schema": {"values": ["crm"]},
                "table": {"values": ["customers"]},
            },
            "rowFilterPolicyItems": [
                {
                    "accesses": [{"type": "select"}],
                    "groups": ["analysts"],
                    "rowFilterInfo": {"filterExpr": "region='EMEA'"},
                }
            ],
        },
    ],
}


def _request(elements: dict[str, str], policy_type: str = "access", **extra: Any) -> dict[str, Any]:
    return {
        "resource": {"elements": elements},
        "accessType": "select",
        "user": "ann",
        "userGroups": ["analysts"],
        "policyType": policy_type,
        **extra,
    }


CARD = {"catalog": "sales", "schema": "crm", "table": "customers", "column": "card"}
TABLE = {"catalog": "sales", "schema": "crm", "table": "customers"}


@pytest.fixture
def policies_file(tmp_path: Path) -> Path:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(EXPORT))
    return path


def test_list_in_list_out(policies_file: Path, tmp_path: Path) -> None:
    requests = [
        _request(CARD),
        _request(CARD, user="bob", userGroups=[]),
        _request(CARD, "datamask"),
        _request(TABLE, "rowfilter"),
        _request({"catalog": "sales"}, accessType=""),
    ]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests))
    assert evaluate_files(policies_file, path) == [
        {"allowed": True, "audited": True, "policyId": 11},
        {"allowed": False, "audited": True, "policyId": -1},
        {
            "allowed": True,
            "audited": True,
            "policyId": 12,
            "maskType": "MASK_SHOW_LAST_4",
            "maskCondition": None,
            "maskedValue": None,
        },
        {"allowed": True, "audited": True, "policyId": 13, "filterExpr": "region='EMEA'"},
        {"allowed": True, "audited": True, "policyId": 11},
    ]


def test_single_in_single_out(policies_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(
        json.dumps(_request(CARD, context={"TAGS": "[]"}, accessTime="20240101-10:00:00.000-0000"))
    )
    assert evaluate_files(policies_file, path) == {"allowed": True, "audited": True, "policyId": 11}


def test_unknown_policy_type_is_an_error(policies_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request(CARD, "audit")))
    with pytest.raises(ValueError, match="policyType"):
        evaluate_files(policies_file, path)


def test_main_prints_json(policies_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request(TABLE, "rowfilter")))
    assert main([str(policies_file), str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["filterExpr"] == "region='EMEA'"
    assert main([]) == 2


def test_export_format_picks_the_builtin_trino_definition(policies_file: Path) -> None:
    engine = PolicyEngine.from_file(policies_file)
    assert engine.service_def.name == "trino"
    assert engine.is_access_allowed(AccessRequest.create(CARD, "select", "ann", ["analysts"])).allowed


def test_bare_list_and_embedded_service_tags() -> None:
    doc = {
        "policies": [],
        "serviceDef": {
            "name": "trino",
            "resources": [{"name": "catalog"}, {"name": "schema", "parent": "catalog"}],
        },
        "tagPolicyInfo": {
            "tagPolicies": [
                {
                    "id": 5,
                    "name": "public data",
                    "resources": {"tag": {"values": ["PUBLIC"]}},
                    "policyItems": [
                        {"accesses": [{"type": "trino:show"}, {"type": "hive:select"}], "groups": ["public"]}
                    ],
                }
            ]
        },
        "serviceTags": {
            "tags": {"1": {"type": "PUBLIC"}},
            "serviceResources": [{"id": 1, "resourceElements": {"catalog": {"values": ["open"]}}}],
            "resourceToTagIds": {"1": [1]},
        },
    }
    engine = bundle_from_json(doc).engine()
    assert engine.is_access_allowed(
        AccessRequest.create({"catalog": "open", "schema": "x"}, "show", "z")
    ).allowed
    assert not engine.is_access_allowed(AccessRequest.create({"catalog": "open"}, "select", "z")).allowed
    assert not engine.is_access_allowed(AccessRequest.create({"catalog": "closed"}, "show", "z")).allowed
    assert bundle_from_json(EXPORT["policies"]).policies[0].id == 11


def test_lenient_json() -> None:
    assert strip_trailing_commas('{"a": [1, 2, ], "b": "x,]",}') == '{"a": [1, 2 ], "b": "x,]"}'
    assert loads('{"a": [1,\n ]\n}') == {"a": [1]}


def test_version_comes_from_the_document(policies_file: Path, tmp_path: Path) -> None:
    first = PolicyEngine.from_file(policies_file).version
    assert first == PolicyEngine.from_file(policies_file).version
    changed = json.loads(policies_file.read_text())
    changed["policies"][0]["policyItems"][0]["groups"] = ["everyone"]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(changed))
    assert PolicyEngine.from_file(other).version != first
