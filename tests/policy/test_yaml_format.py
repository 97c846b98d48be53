"""The friendly YAML spelling decides exactly as the Ranger JSON it stands for."""

from __future__ import annotations

import json
from pathlib import Path

from auth.authorizer import Authorizer
from auth.identity import Identity
from gateway.demo.policies import TAGS, demo_policies

FRIENDLY = """
service_name: lakegate
policies:
  - id: 1
    name: admins
    resources: {catalog: "*", schema: "*", table: "*", column: "*"}
    policy_items: [{users: [root], accesses: [select]}]
  - id: 3
    name: crm customers
    resources: {catalog: crm, schema: main, table: customers, column: "*"}
    policy_items: [{users: [ada, sam], accesses: [select]}]
  - id: 4
    name: no national ids for support
    resources: {catalog: crm, schema: main, table: customers, column: national_id}
    deny_policy_items: [{users: [sam], accesses: [select]}]
  - id: 11
    name: hash national id
    policy_type: datamask
    resources: {catalog: crm, schema: main, table: customers, column: national_id}
    data_mask_policy_items:
      - {users: [root], accesses: [select], mask: MASK_NONE}
      - {users: [ada], accesses: [select], mask: MASK_HASH}
  - id: 20
    name: EMEA only
    policy_type: rowfilter
    resources: {catalog: crm, schema: main, table: customers}
    row_filter_policy_items: [{users: [sam], accesses: [select], filter: "region = 'EMEA'"}]
"""


def test_yaml_and_json_agree(tmp_path: Path) -> None:
    yaml_file = tmp_path / "policies.yaml"
    yaml_file.write_text(FRIENDLY)
    json_file = tmp_path / "policies.json"
    json_file.write_text(json.dumps(demo_policies()))
    friendly, ranger = Authorizer(yaml_file, tags=TAGS), Authorizer(json_file, tags=TAGS)
    table = ("crm", "main", "customers")
    for user in ("root", "ada", "sam", "eve"):
        who = Identity(user)
        for column in ("national_id", "region", None):
            assert (
                friendly.check_select(who, table, column).allowed
                == ranger.check_select(who, table, column).allowed
            )
        assert (
            friendly.data_mask(who, table, "national_id").mask_type
            == ranger.data_mask(who, table, "national_id").mask_type
        )
        assert friendly.row_filter(who, table).filter_expr == ranger.row_filter(who, table).filter_expr
    assert friendly.row_filter(Identity("sam"), table).filter_expr == "region = 'EMEA'"
    assert not friendly.check_select(Identity("sam"), table, "national_id").allowed
