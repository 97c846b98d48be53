"""One test per Apache Ranger semantic taken over from Ranger's master branch (issue 7, item 5).

The Ranger corpus (``test_ranger_corpus.py``) checks the engine against Ranger's own cases; these tests pin each
behaviour on its own, on the built-in Trino and Hive service definitions Lakegate ships.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth.policy import (
    HIVE_SERVICE_DEF,
    TRINO_SERVICE_DEF,
    AccessRequest,
    MatchingScope,
    MatchType,
    PolicyEngine,
    Tag,
)
from auth.policy.loader import bundle_from_json
from auth.policy.model import Policy, PolicyResource, ServiceDef
from auth.policy.resource_matcher import PolicyResourceMatcher, ValueMatcher
from auth.policy.service_defs import URL_MATCHER, hierarchies, marker_access_types


def _policy(pid: int, resources: dict[str, Any], **fields: Any) -> Policy:
    return Policy.from_json({"id": pid, "name": f"p{pid}", "resources": resources, **fields})


def _item(accesses: list[str], users: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"accesses": [{"type": a} for a in accesses], "users": users or [], "groups": [], **extra}


def _table(catalog: str = "sales", table: str = "orders", column: str = "*") -> dict[str, Any]:
    return {
        "catalog": {"values": [catalog]},
        "schema": {"values": ["crm"]},
        "table": {"values": [table]},
        "column": {"values": [column]},
    }


def _req(
    column: str | None = "amount", access: str = "select", user: str = "alice", **kw: Any
) -> AccessRequest:
    resource = {"catalog": "sales", "schema": "crm", "table": "orders", "column": column}
    return AccessRequest.create(resource, access, user, kw.pop("groups", ()), **kw)


# --- marker access types (RANGER-4035) -----------------------------------------------------------------------


def test_marker_read_grants_every_read_category_access_type() -> None:
    engine = PolicyEngine(
        [_policy(1, _table(), policyItems=[_item(["_READ"], ["alice"])])], TRINO_SERVICE_DEF
    )
    assert engine.is_access_allowed(_req(access="select")).allowed
    assert engine.is_access_allowed(_req(access="show")).allowed
    assert not engine.is_access_allowed(_req(access="insert")).allowed  # UPDATE category
    assert not engine.is_access_allowed(_req(access="drop")).allowed  # DELETE category


def test_marker_all_grants_every_access_type_and_manage_only_manage() -> None:
    everything = PolicyEngine(
        [_policy(1, _table(), policyItems=[_item(["_ALL"], ["alice"])])], TRINO_SERVICE_DEF
    )
    manage = PolicyEngine(
        [_policy(1, _table(), policyItems=[_item(["_MANAGE"], ["alice"])])], TRINO_SERVICE_DEF
    )
    for access in ("select", "insert", "drop", "alter", "grant"):
        assert everything.is_access_allowed(_req(access=access)).allowed, access
    assert manage.is_access_allowed(_req(access="grant")).allowed
    assert not manage.is_access_allowed(_req(access="select")).allowed


def test_marker_access_types_sent_with_the_service_def_win_over_categories() -> None:
    sdef = ServiceDef.from_json(
        {
            "name": "hive",
            "resources": [{"name": "database", "level": 1}],
            "accessTypes": [{"name": "select", "category": "READ"}, {"name": "drop", "category": "DELETE"}],
            "markerAccessTypes": [{"name": "_READ", "impliedGrants": ["select", "drop"]}],
        }
    )
    assert [m.name for m in marker_access_types(sdef)] == ["_READ"]
    engine = PolicyEngine(
        [_policy(1, {"database": {"values": ["db"]}}, policyItems=[_item(["_READ"], ["u"])])], sdef
    )
    assert engine.is_access_allowed(AccessRequest.create({"database": "db"}, "drop", "u")).allowed


# --- descendant denies (RANGER-3617, RANGER-4990, RANGER-5001) -------------------------------------------------


def _column_deny_engine() -> PolicyEngine:
    return PolicyEngine(
        [
            _policy(1, _table(), policyItems=[_item(["select"], ["alice"])]),
            _policy(2, _table(column="ssn"), denyPolicyItems=[_item(["select"], ["alice"])]),
        ],
        TRINO_SERVICE_DEF,
    )


def test_descendant_deny_is_ignored_for_any_access_by_default() -> None:
    request = _req(column=None, access="_any")
    assert request.ignore_descendant_deny
    assert _column_deny_engine().is_access_allowed(request).allowed


def test_descendant_deny_denies_any_access_when_not_ignored() -> None:
    request = _req(column=None, access="_any", ignore_descendant_deny=False)
    result = _column_deny_engine().is_access_allowed(request)
    assert not result.allowed
    assert result.policy_id == 2


def test_any_access_needs_every_access_type_when_descendant_denies_count() -> None:
    engine = PolicyEngine(
        [_policy(1, _table(), policyItems=[_item(["select"], ["alice"])])], TRINO_SERVICE_DEF
    )
    assert engine.is_access_allowed(_req(column=None, access="_any")).allowed
    assert not engine.is_access_allowed(
        _req(column=None, access="_any", ignore_descendant_deny=False)
    ).allowed
    everything = PolicyEngine(
        [_policy(1, _table(), policyItems=[_item(["all"], ["alice"])])], TRINO_SERVICE_DEF
    )
    assert everything.is_access_allowed(
        _req(column=None, access="_any", ignore_descendant_deny=False)
    ).allowed


def test_ancestor_resource_policy_does_not_apply_to_any_access() -> None:
    schema_only = {"catalog": {"values": ["sales"]}, "schema": {"values": ["crm"]}}
    engine = PolicyEngine(
        [_policy(1, schema_only, isDenyAllElse=True, policyItems=[_item(["select"], ["bob"])])],
        TRINO_SERVICE_DEF,
    )
    result = engine.is_access_allowed(_req(column=None, access="_any"))  # the policy is on the table's schema
    assert (result.allowed, result.audited, result.policy_id) == (False, False, -1)


def test_descendant_tag_deny_is_ignored_unless_the_request_says_otherwise() -> None:
    tag_policy = _policy(
        10,
        {"tag": {"values": ["PII"]}},
        policyItems=[_item(["trino:select"], ["alice"])],
        denyPolicyItems=[_item(["trino:insert"], ["alice"])],
    )
    engine = PolicyEngine([], TRINO_SERVICE_DEF, tag_policies=[tag_policy])
    tags = [Tag("PII", {}, MatchType.DESCENDANT)]
    scope = MatchingScope.SELF_OR_DESCENDANTS
    assert engine.is_access_allowed(_req(column=None, access="_any", tags=tags, matching_scope=scope)).allowed
    strict = _req(column=None, access="_any", tags=tags, matching_scope=scope, ignore_descendant_deny=False)
    assert not engine.is_access_allowed(strict).allowed


# --- super users and groups ------------------------------------------------------------------------------------


def _bundle(**doc: Any) -> PolicyEngine:
    return bundle_from_json(
        {"serviceDef": {"name": "hive", "resources": [{"name": "database"}]}, **doc}
    ).engine()


def test_super_users_and_groups_come_from_service_config() -> None:
    engine = _bundle(
        policies=[],
        superUsers=["root"],
        serviceConfig={
            "ranger.plugin.super.users": " cfg-su1, cfg-su2 ",
            "ranger.plugin.super.groups": "admins",
        },
    )
    for user, groups in (("root", ()), ("cfg-su1", ()), ("cfg-su2", ()), ("anyone", ("admins",))):
        assert engine.is_access_allowed(
            AccessRequest.create({"database": "db"}, "drop", user, groups)
        ).allowed
    assert not engine.is_access_allowed(AccessRequest.create({"database": "db"}, "drop", "anyone")).allowed


def test_super_user_access_type_asks_only_whether_the_user_is_one() -> None:
    grant_all = {"policyItems": [_item(["_super_user"], ["alice"])]}
    engine = _bundle(
        policies=[{"id": 1, "resources": {"database": {"values": ["*"]}}, **grant_all}], superUsers=["su"]
    )
    assert engine.is_access_allowed(AccessRequest.create({"database": "db"}, "_super_user", "su")).allowed
    assert not engine.is_access_allowed(
        AccessRequest.create({"database": "db"}, "_super_user", "alice")
    ).allowed


def test_audit_exclusions_come_from_service_config() -> None:
    engine = _bundle(
        policies=[
            {"id": 1, "resources": {"database": {"values": ["*"]}}, "policyItems": [_item(["select"], ["u"])]}
        ],
        serviceConfig={"ranger.plugin.audit.exclude.users": "u"},
    )
    result = engine.is_access_allowed(AccessRequest.create({"database": "db"}, "select", "u"))
    assert (result.allowed, result.audited) == (True, False)


# --- expression conditions -------------------------------------------------------------------------------------


SCRIPT_EVALUATOR = "org.apache.ranger.plugin.conditionevaluator.RangerScriptConditionEvaluator"


def _conditional_engine(script: str) -> PolicyEngine:
    sdef = ServiceDef.from_json(
        {
            "name": "trino",
            "resources": [{"name": "catalog", "level": 10}],
            "accessTypes": [{"name": "select"}],
            "policyConditions": [
                {"name": "expression", "evaluator": SCRIPT_EVALUATOR},
            ],
        }
    )
    item = _item(["select"], ["alice"], conditions=[{"type": "expression", "values": [script]}])
    policy = _policy(1, {"catalog": {"values": ["sales"]}}, policyItems=[item])
    return PolicyEngine([policy], sdef, user_roles={"alice": ["analyst", "auditor"]})


def _catalog_allowed(engine: PolicyEngine, groups: tuple[str, ...] = ()) -> bool:
    return engine.is_access_allowed(
        AccessRequest.create({"catalog": "sales"}, "select", "alice", groups)
    ).allowed


def test_is_in_role_macro_in_expression_condition() -> None:
    assert _catalog_allowed(_conditional_engine("IS_IN_ROLE('analyst') && IS_IN_ROLE('auditor')"))
    assert not _catalog_allowed(_conditional_engine("IS_IN_ROLE('admin')"))
    assert _catalog_allowed(_conditional_engine("!IS_IN_ROLE('admin') && IS_IN_ANY_ROLE"))


def test_group_and_tag_macros_in_expression_condition() -> None:
    assert _catalog_allowed(_conditional_engine("IS_IN_GROUP('finance')"), ("finance",))
    assert not _catalog_allowed(_conditional_engine("IS_IN_GROUP('finance')"), ("hr",))
    assert _catalog_allowed(_conditional_engine("IS_NOT_IN_ANY_GROUP"))
    assert _catalog_allowed(_conditional_engine("HAS_NO_TAG && !HAS_TAG('PII')"))


def test_expression_condition_with_leading_and_trailing_whitespace_is_evaluated() -> None:
    assert _catalog_allowed(_conditional_engine("   IS_IN_ROLE('analyst')   "))
    assert _catalog_allowed(_conditional_engine("\n if ( IS_IN_ROLE('analyst') ) ctx.result = true; "))
    assert not _catalog_allowed(_conditional_engine("  IS_IN_ROLE('admin') "))


def test_expression_condition_uses_only_its_first_value() -> None:
    sdef_engine = _conditional_engine("IS_IN_ROLE('analyst')")
    assert _catalog_allowed(sdef_engine)
    two_values = Policy.from_json(
        {
            "id": 1,
            "resources": {"catalog": {"values": ["sales"]}},
            "policyItems": [
                _item(["select"], ["alice"], conditions=[{"type": "expression", "values": ["true", "false"]}])
            ],
        }
    )
    engine = PolicyEngine([two_values], sdef_engine.service_def)
    assert _catalog_allowed(engine)


def test_unsupported_expression_still_fails_closed() -> None:
    assert not _catalog_allowed(_conditional_engine("java.lang.System.exit(0)"))


# --- the Hive url resource -------------------------------------------------------------------------------------


def _url_matcher(*values: str, recursive: bool = True) -> ValueMatcher:
    options = {"wildCard": "true", "ignoreCase": "false"}
    return ValueMatcher(PolicyResource(values, is_recursive=recursive), options, URL_MATCHER)


def test_recursive_url_policy_matches_the_url_and_everything_below_it() -> None:
    matcher = _url_matcher("s3a://bucket/data")
    assert matcher.is_match("s3a://bucket/data", {})
    assert matcher.is_match("s3a://bucket/data/2024/file.parquet", {})
    assert not matcher.is_match("s3a://bucket/database", {})  # a sibling sharing the prefix
    assert not matcher.is_match("s3a://bucket", {})


def test_recursive_url_folder_value_with_trailing_slash_covers_its_children() -> None:
    matcher = _url_matcher("s3a://bucket/data/")
    assert matcher.is_match("s3a://bucket/data/x", {})
    assert not matcher.is_match("s3a://bucket/data", {})


def test_recursive_url_wildcard_matches_a_parent_url() -> None:
    matcher = _url_matcher("s3a://bucket/*/raw")
    assert matcher.is_match("s3a://bucket/2024/raw/part-0.parquet", {})
    assert not matcher.is_match("s3a://bucket/2024/clean/part-0.parquet", {})
    assert not matcher.is_match("/bucket/2024/raw", {})  # not a URL: no scheme


def test_non_recursive_url_policy_matches_only_the_url_itself() -> None:
    matcher = _url_matcher("s3a://bucket/data", recursive=False)
    assert matcher.is_match("s3a://bucket/data", {})
    assert not matcher.is_match("s3a://bucket/data/x", {})


def test_multi_valued_resource_matches_when_one_spelling_matches() -> None:
    policy = _policy(
        1,
        {"url": {"values": ["s3a://bucket/data/"], "isRecursive": True}},
        policyItems=[_item(["read"], ["alice"])],
    )
    engine = PolicyEngine([policy], HIVE_SERVICE_DEF)
    both = AccessRequest.create({"url": ["s3a://bucket/data", "s3a://bucket/data/"]}, "read", "alice")
    assert engine.is_access_allowed(both).allowed
    other = AccessRequest.create({"url": ["s3a://bucket/other", "s3a://bucket/other/"]}, "read", "alice")
    assert not engine.is_access_allowed(other).allowed


def test_excluded_multi_valued_resource_matches_when_no_spelling_is_excluded() -> None:
    matcher = ValueMatcher(PolicyResource(("tmp*",), is_excludes=True), {})
    assert matcher.is_match(("orders", "orders_v2"), {})
    assert not matcher.is_match(("orders", "tmp_orders"), {})


# --- Ranger's token syntax -------------------------------------------------------------------------------------


def test_token_prefix_option_names_which_braces_are_tokens() -> None:
    options = {"tokenDelimiterPrefix": "rangerToken:"}
    matcher = ValueMatcher(PolicyResource(("{rangerToken:USER}_home", "{USER}_shared")), options)
    assert matcher.is_match("alice_home", {"USER": "alice"})
    assert not matcher.is_match("alice_shared", {"USER": "alice"})
    assert matcher.is_match("{USER}_shared", {"USER": "alice"})


def test_token_without_a_value_is_kept_as_written() -> None:
    matcher = ValueMatcher(PolicyResource(("{OWNER}_data",)), {})
    assert matcher.is_match("{OWNER}_data", {"USER": "alice"})
    assert not matcher.is_match("alice_data", {"USER": "alice"})


# (request URL, policy value, wildCard, isRecursive, expected): the SELF-scope vectors of Ranger's
# RangerURLResourceMatcherTest (apache/ranger master), run through our URL matcher.
URL_VECTORS = [
    (
        "hdfs://hostname:8020/app/warehouse/data/emp.db",
        "hdfs://hostname:8020/app/warehouse/*",
        True,
        True,
        True,
    ),
    ("hdfs://hostname:8020/app/warehouse/data/emp.db", "hdfs://hostname:8020/*", True, True, True),
    ("hdfs://hostname:8020/app/warehouse/data/emp.db", "hdfs://hostname:8020/app/*", True, False, True),
    ("hdfs://hostname:8020/app/warehouse/data/emp.db", "hdfs://hostname:8020/app/*", False, False, False),
    ("hdfs://hostname:8020/app/*", "hdfs://hostname:8020/app/*", False, False, True),
    ("hdfs://hostname:8020/app/warehouse/data/emp.db", "hdfs://hostname:8020/app/", True, True, True),
    ("s3a://app/warehouse/data/emp.db", "s3a://app/*", True, True, True),
    ("adls:/app/warehouse/data/emp.db", "adls://app/*", True, True, False),
    ("hdfs://app/warehouse/data/emp.db", "/app/*", True, True, False),
    ("/app/warehouse/data/emp.db", "hdfs://app/*", True, True, False),
    ("hdfs:/app/warehouse/data/emp.db", "hdfs://app/*", True, True, False),
    ("///app/warehouse/file://data/emp.db", "hdfs://app/*", True, True, False),
    ("hdfs:///app/warehouse/data/emp.db", "hdfs://app/*", True, True, False),
    ("hdfs://///app/warehouse/data/emp.db", "hdfs://app/*", True, True, False),
    ("://apps/warehouse/data/emp.db", "hdfs://app/*", True, True, False),
    ("hdfs:///app/warehouse/data/emp.db", "hdfs:///app/warehouse/*", True, True, True),
    ("file:///etc/ranger/data.txt", "file:///etc/ranger/*", True, True, True),
    ("hdfs:///app/warehouse/data/emp.db", "hdfs:///other/*", True, True, False),
    ("hdfs:///app/warehouse/data/emp.db", "hdfs://app/warehouse/*", True, True, False),
    ("hdfs://app/warehouse/data/emp.db", "hdfs:///app/warehouse/*", True, True, False),
]


@pytest.mark.parametrize(("url", "policy_value", "wildcard", "recursive", "expected"), URL_VECTORS)
def test_url_matcher_agrees_with_rangers_url_matcher_vectors(
    url: str, policy_value: str, wildcard: bool, recursive: bool, expected: bool
) -> None:
    resource = PolicyResource((policy_value,), is_recursive=recursive)
    matcher = ValueMatcher(resource, {"wildCard": str(wildcard).lower()}, URL_MATCHER)
    assert matcher.is_match(url, {"USER": "user"}) is expected


# --- policy resources against an empty request ----------------------------------------------------------------


def _resource_matcher(resources: dict[str, Any]) -> PolicyResourceMatcher:
    parsed = {name: PolicyResource.from_json(res) for name, res in resources.items()}
    return PolicyResourceMatcher(parsed, HIVE_SERVICE_DEF.resources, hierarchies(HIVE_SERVICE_DEF.resources))


def test_policy_without_resources_matches_only_a_request_without_resources() -> None:
    matcher = _resource_matcher({})
    assert matcher.match_type({}, {}) is MatchType.SELF
    assert matcher.match_type({"database": "default"}, {}) is MatchType.NONE


def test_empty_request_is_below_a_match_all_policy_and_outside_an_excluded_one() -> None:
    everything = _resource_matcher({"database": {"values": ["*"]}, "table": {"values": ["*"]}})
    assert everything.match_type({}, {}) is MatchType.SELF_AND_ALL_DESCENDANTS
    some = _resource_matcher({"database": {"values": ["sales"]}, "table": {"values": ["*"]}})
    assert some.match_type({}, {}) is MatchType.DESCENDANT
    nothing = _resource_matcher({"database": {"values": ["*"], "isExcludes": True}})
    assert nothing.match_type({}, {}) is MatchType.NONE
