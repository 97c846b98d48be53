"""A friendlier YAML spelling of Ranger's policy JSON, mapped one-to-one onto it.

Everything Ranger's JSON says can be written as is; on top of that:

- keys may be snake_case (``policy_items`` for ``policyItems``, ``is_excludes``, ...);
- a resource may be a plain list or string (``table: [customers]``) instead of
  ``{values: [...]}``;
- ``policyType`` may be named: ``access``, ``datamask`` or ``rowfilter``;
- ``accesses`` may be a list of access type names (``[select, show]``);
- in data-mask items ``mask: MASK_HASH`` (and ``value_expr``) stands for ``dataMaskInfo``,
  in row-filter items ``filter: "region = 'EMEA'"`` stands for ``rowFilterInfo``.

``to_ranger_json`` turns such a document into Ranger's JSON, which the loader then reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_POLICY_TYPES = {"access": 0, "datamask": 1, "data_mask": 1, "rowfilter": 2, "row_filter": 2}
_ITEM_LISTS = {
    "policyItems",
    "denyPolicyItems",
    "allowExceptions",
    "denyExceptions",
    "dataMaskPolicyItems",
    "rowFilterPolicyItems",
}


def _camel(key: str) -> str:
    if "_" not in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _resource(value: Any) -> Any:
    if isinstance(value, str):
        return {"values": [value]}
    if isinstance(value, list):
        return {"values": [str(v) for v in value]}
    return value


def _item(item: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(item)
    accesses = out.get("accesses")
    if isinstance(accesses, list):
        out["accesses"] = [{"type": a, "isAllowed": True} if isinstance(a, str) else a for a in accesses]
    if "mask" in out:
        info = {"dataMaskType": out.pop("mask")}
        if "valueExpr" in out:
            info["valueExpr"] = out.pop("valueExpr")
        if "conditionExpr" in out:
            info["conditionExpr"] = out.pop("conditionExpr")
        out["dataMaskInfo"] = info
    if "filter" in out:
        out["rowFilterInfo"] = {"filterExpr": out.pop("filter")}
    return out


def _policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(policy)
    kind = out.get("policyType")
    if isinstance(kind, str):
        if kind.lower() not in _POLICY_TYPES:
            raise ValueError(f"policy {out.get('name') or out.get('id')}: unknown policyType {kind!r}")
        out["policyType"] = _POLICY_TYPES[kind.lower()]
    for key in ("resources",):
        if isinstance(out.get(key), Mapping):
            out[key] = {name: _resource(value) for name, value in out[key].items()}
    if isinstance(out.get("additionalResources"), list):
        out["additionalResources"] = [
            {name: _resource(value) for name, value in resources.items()}
            for resources in out["additionalResources"]
        ]
    for key in _ITEM_LISTS & out.keys():
        out[key] = [_item(item) for item in out[key] or []]
    return out


def to_ranger_json(document: Any) -> Any:
    """The Ranger JSON that a friendly YAML document stands for."""
    document = _camel_keys(document)
    if isinstance(document, list):
        return {"policies": [_policy(p) for p in document]}
    if not isinstance(document, Mapping):
        raise ValueError("a policies document is a mapping (with 'policies') or a list of policies")
    out = dict(document)
    if isinstance(out.get("policies"), list):
        out["policies"] = [_policy(p) for p in out["policies"]]
    tag_info = out.get("tagPolicyInfo")
    if isinstance(tag_info, Mapping) and isinstance(tag_info.get("tagPolicies"), list):
        out["tagPolicyInfo"] = {**tag_info, "tagPolicies": [_policy(p) for p in tag_info["tagPolicies"]]}
    return out
