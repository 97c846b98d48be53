"""Focused behaviour of the policy engine on the Trino service definition."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from auth.policy import TRINO_SERVICE_DEF, AccessRequest, MatchType, PolicyEngine, Tag
from auth.policy.model import Policy


def _res(catalog: str = "*", schema: str = "*", table: str = "*", column: str | None = "*") -> dict[str, Any]:
    out: dict[str, Any] = {
        "catalog": {"values": [catalog]},
        "schema": {"values": [schema]},
        "table": {"values": [table]},
    }
    if column is not None:
        out["column"] = {"values": [column]}
    return out


def _item(
    access: str | list[str] = "select",
    users: list[str] | None = None,
    groups: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    accesses = [access] if isinstance(access, str) else access
    return {
        "accesses": [{"type": a} for a in accesses],
        "users": users or [],
        "groups": groups or [],
        **extra,
    }


def _policy(pid: int, resources: dict[str, Any], **fields: Any) -> Policy:
    return Policy.from_json({"id": pid, "name": f"p{pid:03d}", "resources": resources, **fields})


def _engine(*policies: Policy, **kwargs: Any) -> PolicyEngine:
    return PolicyEngine(policies, TRINO_SERVICE_DEF, **kwargs)


def _req(
    path: str, access: str = "select", user: str = "alice", groups: tuple[str, ...] = (), **kw: Any
) -> AccessRequest:
    names = ("catalog", "schema", "table", "column")
    parts = path.split(".") if path else []
    return AccessRequest.create(dict(zip(names, parts, strict=False)), access, user, groups, **kw)


def _allowed(engine: PolicyEngine, path: str, access: str = "select", user: str = "alice", **kw: Any) -> bool:
    return engine.is_access_allowed(_req(path, access, user, **kw)).allowed


# --- resource hierarchy ------------------------------------------------------------------------------------


def test_trino_catalog_schema_table_column_hierarchy() -> None:
    engine = _engine(_policy(1, _res("sales", "crm", "orders_*"), policyItems=[_item("select", ["alice"])]))
    assert _allowed(engine, "sales.crm.orders_2024.amount")
    assert _allowed(engine, "SALES.Crm.ORDERS_2024.amount")  # catalog/schema/table/column ignore case
    assert _allowed(engine, "sales.crm.orders_2024")  # table-level (count(*)) passes: column=* is match-any
    assert not _allowed(engine, "sales.crm.customers.id")
    assert not _allowed(engine, "sales.hr.orders_2024.amount")
    assert not _allowed(engine, "sales.crm.orders_2024.amount", user="bob")
    assert not _allowed(engine, "sales.crm.orders_2024.amount", "insert")
    # listings ask for any access: one visible table makes the schema and catalog visible
    assert _allowed(engine, "sales", "_any")
    assert _allowed(engine, "sales.crm", "")
    assert not _allowed(engine, "marketing", "_any")
    # a specific access on the schema needs a policy that matches the schema itself
    assert not _allowed(engine, "sales.crm", "select")


def test_policy_higher_in_the_tree_does_not_cover_tables() -> None:
    engine = _engine(
        _policy(1, {"catalog": {"values": ["sales"]}}, policyItems=[_item(["use", "show"], ["alice"])])
    )
    assert _allowed(engine, "sales", "use")
    assert not _allowed(engine, "sales.crm.orders.id", "use")  # ANCESTOR match: not for specific access


def test_restricted_column_keeps_table_level_request_out() -> None:
    engine = _engine(_policy(1, _res("c", "s", "t", "name"), policyItems=[_item("select", ["alice"])]))
    assert _allowed(engine, "c.s.t.name")
    assert not _allowed(engine, "c.s.t")  # DESCENDANT: a column-less query needs every column
    assert _allowed(engine, "c.s.t", "_any")


def test_is_excludes() -> None:
    resources = _res("hr", "core", "employees")
    resources["column"] = {"values": ["ssn", "salary*"], "isExcludes": True}
    engine = _engine(_policy(1, resources, policyItems=[_item("select", groups=["staff"])]))
    assert _allowed(engine, "hr.core.employees.name", groups=("staff",))
    assert not _allowed(engine, "hr.core.employees.ssn", groups=("staff",))
    assert not _allowed(engine, "hr.core.employees.salary_2024", groups=("staff",))
    assert not _allowed(engine, "hr.core.employees", groups=("staff",))  # "all columns" is not excluded-only


def test_user_macro_in_resources_and_items() -> None:
    engine = _engine(
        _policy(1, _res("lake", "home_{USER}"), policyItems=[_item(["select", "insert"], ["{USER}"])])
    )
    assert _allowed(engine, "lake.home_alice.notes.text", user="alice")
    assert _allowed(engine, "lake.home_bob.notes.text", "insert", user="bob")
    assert not _allowed(engine, "lake.home_bob.notes.text", user="alice")
    assert not _allowed(engine, "lake.home_*.notes.text", user="alice")


# --- precedence ---------------------------------------------------------------------------------------------


def test_deny_beats_allow_at_the_same_priority() -> None:
    allow = _policy(1, _res("c"), policyItems=[_item("select", groups=["analysts"])])
    deny = _policy(
        2,
        _res("c", "s", "t", "ssn"),
        denyPolicyItems=[_item("select", groups=["public"])],
        denyExceptions=[_item("select", ["auditor"])],
    )
    engine = _engine(allow, deny)
    assert _allowed(engine, "c.s.t.name", groups=("analysts",))
    result = engine.is_access_allowed(_req("c.s.t.ssn", groups=("analysts",)))
    assert not result.allowed
    assert result.policy_id == 2
    assert _allowed(engine, "c.s.t.ssn", user="auditor", groups=("analysts",))  # deny exception


def test_allow_exception_cancels_only_the_allow() -> None:
    policy = _policy(
        1,
        _res("c"),
        policyItems=[_item("select", groups=["public"])],
        allowExceptions=[_item("select", ["mallory"])],
    )
    engine = _engine(policy)
    assert _allowed(engine, "c.s.t.x", user="alice")
    assert not _allowed(engine, "c.s.t.x", user="mallory")


def test_override_priority() -> None:
    deny = _policy(1, _res("c"), denyPolicyItems=[_item("select", groups=["public"])])
    allow_override = _policy(
        2, _res("c", "s", "t"), policyPriority=1, policyItems=[_item("select", ["alice"])]
    )
    engine = _engine(deny, allow_override)
    assert _allowed(engine, "c.s.t.x", user="alice")
    assert not _allowed(engine, "c.s.t.x", user="bob")
    assert not _allowed(engine, "c.s.other.x", user="alice")
    # a deny at OVERRIDE still beats an allow at OVERRIDE
    deny_override = _policy(
        3, _res("c", "s", "t", "x"), policyPriority=1, denyPolicyItems=[_item("select", ["alice"])]
    )
    assert not _allowed(_engine(deny, allow_override, deny_override), "c.s.t.x", user="alice")


def test_deny_all_else() -> None:
    everyone = _policy(1, _res(), policyItems=[_item("select", groups=["public"])])
    fenced = _policy(2, _res("hr"), isDenyAllElse=True, policyItems=[_item("select", groups=["hr_team"])])
    engine = _engine(everyone, fenced)
    assert _allowed(engine, "sales.s.t.x", groups=("anyone",))
    assert not _allowed(engine, "hr.s.t.x", groups=("anyone",))
    assert _allowed(engine, "hr.s.t.x", groups=("hr_team",))
    result = engine.is_access_allowed(_req("hr.s.t.x", groups=("anyone",)))
    assert (result.policy_id, result.reason) == (2, "matched deny-all-else policy")


def test_disabled_policy_and_validity_schedule() -> None:
    disabled = _policy(1, _res(), isEnabled=False, policyItems=[_item("select", ["alice"])])
    expired = _policy(
        2,
        _res(),
        policyItems=[_item("select", ["bob"])],
        validitySchedules=[
            {"startTime": "2020/01/01 00:00:00", "endTime": "2020/12/31 23:59:59", "timeZone": "UTC"}
        ],
    )
    engine = _engine(disabled, expired)
    assert not _allowed(engine, "c.s.t.x", user="alice")
    assert not _allowed(engine, "c.s.t.x", user="bob")
    assert _allowed(engine, "c.s.t.x", user="bob", access_time=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))


def test_roles_via_users_groups_and_roles() -> None:
    policy = _policy(1, _res("fin"), policyItems=[_item("select", roles=["fin_readers"])])
    engine = _engine(
        policy,
        user_roles={"alice": ["fin_readers"]},
        group_roles={"accounting": ["fin_clerks"]},
        role_roles={"fin_clerks": ["fin_readers"]},
    )
    assert _allowed(engine, "fin.s.t.x", user="alice")
    assert _allowed(engine, "fin.s.t.x", user="carol", groups=("accounting",))  # group -> role -> role
    assert not _allowed(engine, "fin.s.t.x", user="dave")
    assert _allowed(engine, "fin.s.t.x", user="dave", roles=["fin_readers"])  # roles given by the caller


def test_super_users_and_audit() -> None:
    quiet = _policy(1, _res("c"), isAuditEnabled=False, policyItems=[_item("select", ["alice"])])
    engine = _engine(quiet, super_users=["root"], super_groups=["admins"])
    assert engine.is_access_allowed(_req("c.s.t.x")) == engine.is_access_allowed(_req("c.s.t.x"))
    result = engine.is_access_allowed(_req("c.s.t.x"))
    assert (result.allowed, result.audited, result.policy_id) == (True, False, 1)
    assert _allowed(engine, "other.s.t.x", user="root")
    assert _allowed(engine, "other.s.t.x", user="eve", groups=("admins",))
    loud = _engine(_policy(1, _res("c"), policyItems=[_item("select", ["alice"])]))
    assert loud.is_access_allowed(_req("c.s.t.x", user="bob")).audited  # denied, but a policy matched


def test_conditions_fail_closed_when_unsupported() -> None:
    allow = _policy(
        1, _res("c"), policyItems=[_item("select", ["alice"], conditions=[{"type": "x", "values": ["?"]}])]
    )
    assert not _allowed(_engine(allow), "c.s.t.x")
    deny = _policy(
        2,
        _res("c"),
        denyPolicyItems=[_item("select", ["alice"], conditions=[{"type": "x", "values": ["?"]}])],
    )
    everyone = _policy(3, _res(), policyItems=[_item("select", groups=["public"])])
    assert not _allowed(_engine(deny, everyone), "c.s.t.x")


def test_ip_range_condition() -> None:
    policy = _policy(
        1,
        _res("c"),
        policyItems=[
            _item(
                "select",
                ["alice"],
                conditions=[{"type": "ip-range", "values": ["10.0.0.0/8", "192.168.1.*"]}],
            )
        ],
    )
    engine = _engine(policy)
    assert _allowed(engine, "c.s.t.x", remote_ip="10.2.3.4")
    assert _allowed(engine, "c.s.t.x", remote_ip="192.168.1.20")
    assert not _allowed(engine, "c.s.t.x", remote_ip="8.8.8.8")
    assert not _allowed(engine, "c.s.t.x")


# --- masks and row filters ----------------------------------------------------------------------------------


def _mask_policy(
    pid: int, column: str, *items: tuple[str, list[str]], priority: int = 0, name: str | None = None
) -> Policy:
    mask_items = [
        _item("select", groups=groups, dataMaskInfo={"dataMaskType": mask}) for mask, groups in items
    ]
    return Policy.from_json(
        {
            "id": pid,
            "name": name or f"p{pid:03d}",
            "policyType": 1,
            "policyPriority": priority,
            "resources": _res("c", "s", "t", column),
            "dataMaskPolicyItems": mask_items,
        }
    )


def _mask(
    engine: PolicyEngine, column: str, groups: tuple[str, ...], tags: tuple[Tag, ...] = ()
) -> tuple[str | None, int]:
    result = engine.get_data_mask(_req(f"c.s.t.{column}", groups=groups, tags=tags))
    return result.mask_type, result.policy_id


def test_one_mask_per_column_first_item_wins() -> None:
    policy = _mask_policy(1, "ssn", ("MASK_NONE", ["admins"]), ("MASK_SHOW_LAST_4", ["public"]))
    engine = _engine(policy)
    assert _mask(engine, "ssn", ("admins", "staff")) == ("MASK_NONE", 1)
    assert _mask(engine, "ssn", ("staff",)) == ("MASK_SHOW_LAST_4", 1)
    assert _mask(engine, "name", ("staff",)) == (None, -1)
    assert not engine.get_data_mask(_req("c.s.t.ssn", groups=("admins",))).is_masked


def test_one_mask_per_column_first_policy_wins() -> None:
    a = _mask_policy(1, "ssn", ("MASK", ["staff"]), name="a")
    b = _mask_policy(2, "ssn", ("MASK_HASH", ["staff"]), name="b")
    assert _mask(_engine(a, b), "ssn", ("staff",)) == ("MASK", 1)
    assert _mask(_engine(b, a), "ssn", ("staff",)) == ("MASK", 1)  # order of loading does not matter
    override = _mask_policy(3, "ssn", ("MASK_NULL", ["staff"]), priority=1, name="z")
    assert _mask(_engine(a, b, override), "ssn", ("staff",)) == ("MASK_NULL", 3)


def test_tag_mask_beats_resource_mask_unless_override() -> None:
    tag_policy = Policy.from_json(
        {
            "id": 10,
            "name": "pii",
            "policyType": 1,
            "resources": {"tag": {"values": ["PII"]}},
            "dataMaskPolicyItems": [
                _item("trino:select", groups=["public"], dataMaskInfo={"dataMaskType": "MASK_HASH"})
            ],
        }
    )
    tags = (Tag("PII"),)
    normal = _mask_policy(1, "ssn", ("MASK", ["staff"]))
    assert _mask(_engine(normal, tag_policies=[tag_policy]), "ssn", ("staff",), tags) == ("MASK_HASH", 10)
    override = _mask_policy(2, "ssn", ("MASK_NULL", ["staff"]), priority=1)
    assert _mask(_engine(normal, override, tag_policies=[tag_policy]), "ssn", ("staff",), tags) == (
        "MASK_NULL",
        2,
    )
    assert _mask(_engine(normal, tag_policies=[tag_policy]), "ssn", ("staff",)) == ("MASK", 1)


def test_row_filter_first_match() -> None:
    policy = Policy.from_json(
        {
            "id": 7,
            "name": "orders",
            "policyType": 2,
            "resources": _res("c", "s", "orders", None),
            "rowFilterPolicyItems": [
                _item("select", groups=["emea"], rowFilterInfo={"filterExpr": "region = 'EMEA'"}),
                _item("select", groups=["public"], rowFilterInfo={"filterExpr": "1 = 0"}),
            ],
        }
    )
    second = Policy.from_json(
        {
            "id": 8,
            "name": "zz-orders",
            "policyType": 2,
            "resources": _res("c", "s", "orders", None),
            "rowFilterPolicyItems": [_item("select", groups=["emea"], rowFilterInfo={"filterExpr": "2 = 2"})],
        }
    )
    engine = _engine(policy, second)
    emea = engine.get_row_filter(_req("c.s.orders", groups=("emea", "sales")))
    assert (emea.filter_expr, emea.policy_id, emea.has_filter) == ("region = 'EMEA'", 7, True)
    other = engine.get_row_filter(_req("c.s.orders", groups=("sales",)))
    assert (other.filter_expr, other.policy_id) == ("1 = 0", 7)
    none = engine.get_row_filter(_req("c.s.customers", groups=("sales",)))
    assert (none.filter_expr, none.policy_id, none.has_filter) == (None, -1, False)


# --- tags and identity of the engine ------------------------------------------------------------------------


def test_tag_deny_is_overturned_only_by_override_allow() -> None:
    tag_deny = Policy.from_json(
        {
            "id": 10,
            "name": "pii",
            "resources": {"tag": {"values": ["PII"]}},
            "denyPolicyItems": [_item("trino:select", groups=["public"])],
        }
    )
    allow = _policy(1, _res("c"), policyItems=[_item("select", ["alice"])])
    tags = (Tag("PII"),)
    assert not _allowed(_engine(allow, tag_policies=[tag_deny]), "c.s.t.ssn", tags=tags)
    assert _allowed(_engine(allow, tag_policies=[tag_deny]), "c.s.t.name")
    override = _policy(2, _res("c"), policyPriority=1, policyItems=[_item("select", ["alice"])])
    assert _allowed(_engine(allow, override, tag_policies=[tag_deny]), "c.s.t.ssn", tags=tags)


def test_tag_on_descendant_only_counts_for_any_access() -> None:
    tag_allow = Policy.from_json(
        {
            "id": 10,
            "name": "open",
            "resources": {"tag": {"values": ["OPEN"]}},
            "policyItems": [_item("trino:select", ["alice"])],
        }
    )
    engine = _engine(tag_policies=[tag_allow])
    descendant = (Tag("OPEN", match_type=MatchType.DESCENDANT),)
    assert not _allowed(engine, "c.s.t", "select", tags=descendant)
    assert _allowed(engine, "c.s.t", "_any", tags=descendant)


def test_version_is_a_content_hash() -> None:
    p1 = _policy(1, _res("c"), policyItems=[_item("select", ["alice"])])
    p2 = _policy(1, _res("c"), policyItems=[_item("select", ["bob"])])
    assert _engine(p1).version == _engine(p1).version
    assert _engine(p1).version != _engine(p2).version
    assert _engine(p1).version != _engine(p1, super_users=["root"]).version


@pytest.mark.parametrize("access", ["select", "SELECT", "Select"])
def test_access_types_are_case_insensitive(access: str) -> None:
    engine = _engine(_policy(1, _res(), policyItems=[_item("SeLeCt", ["alice"])]))
    assert _allowed(engine, "c.s.t.x", access)


def test_all_implies_every_access_type() -> None:
    engine = _engine(_policy(1, _res("c"), policyItems=[_item("all", ["alice"])]))
    for access in ("select", "insert", "delete", "drop", "alter"):
        assert _allowed(engine, "c.s.t.x", access)


def test_root_index_does_not_change_answers() -> None:
    rng = random.Random(7)
    policies = []
    for pid in range(60):
        catalog = rng.choice(["sales", "hr", "s*", "{USER}", "*", "SALES", "ops"])
        resources = _res(catalog, rng.choice(["crm", "*", "c?m"]), rng.choice(["t1", "t*", "*"]))
        if pid % 7 == 0:
            resources["catalog"]["isExcludes"] = True
        items = [
            _item(
                rng.choice(["select", "insert", "all"]),
                [rng.choice(["alice", "bob"])],
                [rng.choice(["g1", "g2"])],
            )
        ]
        key = "denyPolicyItems" if pid % 5 == 0 else "policyItems"
        policies.append(_policy(pid, resources, policyPriority=pid % 9 == 0, **{key: items}))
    engine = _engine(*policies)
    requests = [
        _req(
            ".".join(
                rng.choice(opts)
                for opts in (["sales", "Sales", "hr", "alice", "x"], ["crm", "cam"], ["t1", "t2"], ["c"])
            ),
            rng.choice(["select", "insert", "_any"]),
            rng.choice(["alice", "bob", "carol"]),
            groups=(rng.choice(["g1", "g2", "g3"]),),
        )
        for _ in range(300)
    ]
    indexed = [engine.is_access_allowed(r) for r in requests]
    for index in engine._index.values():
        index.candidates = lambda resource, _all=index._all: _all  # type: ignore[method-assign]
    assert [engine.is_access_allowed(r) for r in requests] == indexed
    assert any(r.allowed for r in indexed)
    assert not all(r.allowed for r in indexed)


def test_request_expressions_in_row_filters() -> None:
    policy = Policy.from_json(
        {
            "id": 9,
            "name": "by-dept",
            "policyType": 2,
            "resources": _res("c", "s", "t", None),
            "rowFilterPolicyItems": [
                _item(
                    "select",
                    groups=["public"],
                    rowFilterInfo={
                        "filterExpr": "dept = '${{USER.dept}}' AND owner = '${{USER._name}}' "
                        "AND grp IN (${{UGNAMES}}) AND x = '${{USER.missing}}'"
                    },
                )
            ],
        }
    )
    request = _req("c.s.t", user="ann", groups=("g2", "g1"), user_attributes={"dept": "sales"})
    assert _engine(policy).get_row_filter(request).filter_expr == (
        "dept = 'sales' AND owner = 'ann' AND grp IN ('g1','g2') AND x = '${{USER.missing}}'"
    )
