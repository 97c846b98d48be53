"""A Ranger-compatible policy engine: access, data-mask and row-filter decisions from Ranger policies.

Typical use::

    engine = PolicyEngine.from_file("policies.json")
    engine.is_access_allowed(AccessRequest.create({"catalog": "c", "schema": "s", "table": "t",
                                                   "column": "x"}, "select", "alice", ["analysts"]))
"""

from auth.policy.engine import PolicyEngine
from auth.policy.loader import PolicyBundle, bundle_from_json, load_bundle
from auth.policy.model import Policy, ServiceDef
from auth.policy.request import AccessRequest, MatchingScope, MatchType, Tag
from auth.policy.results import AccessResult, DataMaskResult, RowFilterResult
from auth.policy.service_defs import HIVE_SERVICE_DEF, TRINO_SERVICE_DEF

__all__ = [
    "HIVE_SERVICE_DEF",
    "TRINO_SERVICE_DEF",
    "AccessRequest",
    "AccessResult",
    "DataMaskResult",
    "MatchType",
    "MatchingScope",
    "Policy",
    "PolicyBundle",
    "PolicyEngine",
    "RowFilterResult",
    "ServiceDef",
    "Tag",
    "bundle_from_json",
    "load_bundle",
]
