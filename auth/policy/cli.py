"""Evaluate request files against a policies file: ``python -m auth.policy.cli POLICIES REQUESTS``.

A request file holds one request or a list, each in Ranger's access-request shape plus ``policyType``
(``access`` | ``datamask`` | ``rowfilter``). A list in gives a list out; a single object gives a single
object.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from auth.policy.engine import PolicyEngine
from auth.policy.loader import load_bundle, load_json
from auth.policy.request import request_from_json

_POLICY_TYPES = {"access": "access", "0": "access", "datamask": "datamask", "1": "datamask"}
_POLICY_TYPES |= {"rowfilter": "rowfilter", "2": "rowfilter"}


def evaluate_request(engine: PolicyEngine, obj: Mapping[str, Any]) -> dict[str, Any]:
    """One request in, one result object out."""
    kind = _POLICY_TYPES.get(str(obj.get("policyType", "access")).lower().replace("_", ""))
    if kind is None:
        raise ValueError(f"unknown policyType {obj.get('policyType')!r}")
    request = request_from_json(obj)
    if kind == "datamask":
        mask = engine.get_data_mask(request)
        return {
            "allowed": mask.policy_id != -1,
            "audited": mask.audited,
            "policyId": mask.policy_id,
            "maskType": mask.mask_type,
            "maskCondition": mask.condition_expr,
            "maskedValue": mask.value_expr,
        }
    if kind == "rowfilter":
        row_filter = engine.get_row_filter(request)
        return {
            "allowed": row_filter.policy_id != -1,
            "audited": row_filter.audited,
            "policyId": row_filter.policy_id,
            "filterExpr": row_filter.filter_expr,
        }
    result = engine.is_access_allowed(request)
    return {"allowed": result.allowed, "audited": result.audited, "policyId": result.policy_id}


def evaluate_files(
    policies_path: str | os.PathLike[str], request_path: str | os.PathLike[str]
) -> list[dict[str, Any]] | dict[str, Any]:
    engine = load_bundle(policies_path).engine()
    requests = load_json(request_path)
    if isinstance(requests, Sequence) and not isinstance(requests, str):
        return [evaluate_request(engine, r) for r in requests]
    if not isinstance(requests, Mapping):
        raise ValueError("a request file holds one request object or a list of them")
    return evaluate_request(engine, requests)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        sys.stderr.write("usage: python -m auth.policy.cli POLICIES.json REQUESTS.json\n")
        return 2
    json.dump(evaluate_files(args[0], args[1]), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
