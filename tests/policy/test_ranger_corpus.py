"""Ranger's own policy-engine and resource-matcher test corpus, run through our engine.

The JSON files in ``ranger_corpus/`` are verbatim copies from apache/ranger (see the README there): policy-engine
cases (``test_policyengine_*``), resource-value matcher cases (``test_resourcematcher_*``) and policy-resource
matcher cases (``test_defaultpolicyresourcematcher*``). Every test case of every file runs; the only skips are
listed in ``SKIPS`` with the reason.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from auth.policy.engine import PolicyEngine
from auth.policy.loader import load_bundle, load_json
from auth.policy.model import PolicyResource, ResourceDef, ServiceDef
from auth.policy.request import MatchType, request_from_json
from auth.policy.resource_matcher import PolicyResourceMatcher, ValueMatcher
from auth.policy.service_defs import hierarchies

CORPUS = Path(__file__).parent / "ranger_corpus"

# (file, test name) -> why the case cannot run here. Only cases that need custom Java condition evaluators or
# script conditions judged against the wall clock belong in this list.
SKIPS: dict[tuple[str, str], str] = {
    # RangerHiveResourcesAccessedTogetherCondition ("accessed-together") is a custom Java condition evaluator
    # judged over the request context's REQUESTED_RESOURCES, which Lakegate's requests do not carry. Here it is
    # unsupported and fails closed: the deny items that use it still deny (the file's other cases agree with
    # Ranger), but these two allows need the evaluator to answer "not accessed together".
    (
        "test_policyengine_hive_mutex_conditions.json",
        "ALLOW 'select col2 from default.testtable;' to user1",
    ): "custom condition evaluator RangerHiveResourcesAccessedTogetherCondition (accessed-together)",
    (
        "test_policyengine_hive_mutex_conditions.json",
        "ALLOW 'select col2, name from default.testtable;' to user1",
    ): "custom condition evaluator RangerHiveResourcesAccessedTogetherCondition (accessed-together)",
}


def _policy_engine_files() -> list[Path]:
    return sorted(CORPUS.glob("test_policyengine_*.json"))


@cache
def _engine(path: Path) -> PolicyEngine:
    return load_bundle(path, service_type="hive").engine()


def _engine_cases() -> list[Any]:
    params = []
    for path in _policy_engine_files():
        for index, test in enumerate(load_json(path)["tests"]):
            name = test["name"]
            marks = []
            reason = SKIPS.get((path.name, name))
            if reason:
                marks.append(pytest.mark.skip(reason=reason))
            params.append(pytest.param(path, test, id=f"{path.stem}::{index:02d}", marks=marks))
    return params


def _expected_mask(expected: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    info = expected.get("additionalInfo")
    source = info if isinstance(info, dict) else expected
    # Ranger's JSON has "maskValue" (a misspelling) in many files: Gson ignores it, so null is expected.
    return (
        source.get("maskType"),
        source.get("maskCondition"),
        source.get("maskedValue"),
        expected.get("policyId"),
    )


def _expected_filter(expected: dict[str, Any]) -> tuple[Any, Any]:
    info = expected.get("additionalInfo")
    source = info if isinstance(info, dict) else expected
    return source.get("filterExpr"), expected.get("policyId")


@pytest.mark.parametrize(("path", "test"), _engine_cases())
def test_policy_engine_case(path: Path, test: dict[str, Any]) -> None:
    engine = _engine(path)
    request = request_from_json(test["request"])
    user_store = test.get("userAttributes")
    if user_store and request.user in user_store:
        # Ranger's test harness puts a user store in the request context; our requests carry the user's attributes.
        request = replace(request, user_attributes=user_store[request.user])
    checked = False
    if test.get("result") is not None:
        result = engine.is_access_allowed(request)
        expected = test["result"]
        assert (result.allowed, result.audited) == (expected["isAllowed"], expected["isAudited"]), result
        checked = True
    if test.get("dataMaskResult") is not None:
        mask = engine.get_data_mask(request)
        got = (mask.mask_type, mask.condition_expr, mask.value_expr, mask.policy_id)
        assert got == _expected_mask(test["dataMaskResult"])
        checked = True
    if test.get("rowFilterResult") is not None:
        row_filter = engine.get_row_filter(request)
        assert (row_filter.filter_expr, row_filter.policy_id) == _expected_filter(test["rowFilterResult"])
        checked = True
    assert checked, "test case has no result to check"


def _matcher_cases() -> list[Any]:
    params = []
    for path in sorted(CORPUS.glob("test_resourcematcher_*.json")):
        for case_index, case in enumerate(load_json(path)["testCases"]):
            for index, test in enumerate(case["tests"]):
                params.append(pytest.param(case, test, id=f"{path.stem}::{case_index:02d}.{index:02d}"))
    return params


@pytest.mark.parametrize(("case", "test"), _matcher_cases())
def test_resource_matcher_case(case: dict[str, Any], test: dict[str, Any]) -> None:
    resource_def = ResourceDef.from_json({"name": "resource", **case["resourceDef"]})
    matcher = ValueMatcher(
        PolicyResource.from_json(case["policyResource"]), resource_def.matcher_options, resource_def.matcher
    )
    tokens = {
        name.removeprefix("token:"): str(value)
        for name, value in (test.get("evalContext") or {}).items()
        if name.startswith("token:")
    }
    assert matcher.is_match(test["input"], tokens) is test["result"]


# Ranger's MatchScope (RangerDefaultPolicyResourceMatcher.isMatch) -> the match types it accepts; None: any.
_MATCH_SCOPES: dict[str, tuple[MatchType, ...] | None] = {
    "exactmatch": (MatchType.SELF, MatchType.SELF_AND_ALL_DESCENDANTS),
    "selfordescendantmatch": (MatchType.SELF, MatchType.SELF_AND_ALL_DESCENDANTS, MatchType.DESCENDANT),
    "selforancestormatch": (MatchType.SELF, MatchType.SELF_AND_ALL_DESCENDANTS, MatchType.ANCESTOR),
    "descendantmatch": (MatchType.DESCENDANT,),
    "ancestormatch": (MatchType.ANCESTOR,),
    "selfandalldescendants": None,
    "anymatch": None,
}


def _policy_matcher_cases() -> list[Any]:
    params = []
    for path in sorted(CORPUS.glob("test_defaultpolicyresourcematcher*.json")):
        doc = load_json(path)
        for case_index, case in enumerate(doc["testCases"]):
            for index, test in enumerate(case["tests"]):
                params.append(
                    pytest.param(
                        doc["serviceDef"], case, test, id=f"{path.stem}::{case_index:02d}.{index:02d}"
                    )
                )
    return params


@pytest.mark.parametrize(("service_def", "case", "test"), _policy_matcher_cases())
def test_policy_resource_matcher_case(
    service_def: dict[str, Any], case: dict[str, Any], test: dict[str, Any]
) -> None:
    sdef = ServiceDef.from_json(service_def)
    resources = {name: PolicyResource.from_json(res) for name, res in case["policyResources"].items()}
    matcher = PolicyResourceMatcher(resources, sdef.resources, hierarchies(sdef.resources))
    elements = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in test["resource"]["elements"].items()
    }
    tokens = {
        name.removeprefix("token:"): str(value)
        for name, value in (test.get("evalContext") or {}).items()
        if name.startswith("token:")
    }
    match_type = matcher.match_type(elements, tokens)
    accepted = _MATCH_SCOPES[test["type"].lower()]
    matched = match_type is not MatchType.NONE if accepted is None else match_type in accepted
    assert matched is test["result"], match_type
