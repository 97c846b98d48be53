"""The policies the permission tests search under (Lakegate's YAML spelling of Ranger policies)."""

POLICIES = """
service_name: lakegate
policies:
  - id: 2
    name: analysts read sales
    resources: {catalog: sales, schema: "*", table: "*", column: "*"}
    policy_items: [{groups: [analysts], accesses: [select]}]
  - id: 3
    name: crm customers
    resources: {catalog: crm, schema: main, table: customers, column: "*"}
    policy_items: [{users: [ada, sam], accesses: [select]}]
  - id: 4
    name: no national ids for sam
    resources: {catalog: crm, schema: main, table: customers, column: national_id}
    deny_policy_items: [{users: [sam], accesses: [select]}]
  - id: 5
    name: shop customers are for the lead analyst only
    resources: {catalog: sales, schema: public, table: customers, column: "*"}
    deny_policy_items: [{groups: [analysts], accesses: [select]}]
    deny_exceptions: [{users: [lea], accesses: [select]}]
"""

#: the same, plus crm for the analysts (a policy file change)
POLICIES_CRM_FOR_ANALYSTS = (
    POLICIES
    + """
  - id: 6
    name: analysts read crm accounts
    resources: {catalog: crm, schema: main, table: accounts, column: "*"}
    policy_items: [{groups: [analysts], accesses: [select]}]
"""
)
