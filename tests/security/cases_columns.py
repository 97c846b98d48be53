"""Adversarial corpus, column routes: stars and star patterns, alias column lists, quoting, unicode."""

from __future__ import annotations

import pytest

from tests.security.corpus import (
    EMEA,
    ada_customers,
    allowed,
    column_is,
    denied,
    emea_ticket_ids,
    first_column,
    num_rows_is,
    rows_are,
    scalar_is,
)
from tests.security.oracle import mask_hash, mask_last_4

# `*` and `t.*` (and the engine's own star expressions) ------------------------------------------
denied("star", "sam", "SELECT * FROM crm.main.customers", resource="crm.main.customers.national_id")
denied("star", "sam", "SELECT c.* FROM crm.main.customers AS c", resource="crm.main.customers.national_id")
denied("star", "sam", "SELECT *, 1 AS one FROM crm.main.customers")
denied("star", "sam", "SELECT * FROM crm.main.customers, (VALUES (1)) AS v(x)")
denied("star", "sam", "SELECT * FROM crm.main.customers, UNNEST(ARRAY[1]) AS u(x)")
denied("star", "sam", "SELECT * REPLACE (national_id AS email) FROM crm.main.customers", dialect="duckdb")
denied("star", "sam", "SELECT * RENAME (national_id AS x) FROM crm.main.customers", dialect="duckdb")
denied("star", "sam", "SELECT customers.* FROM crm.main.customers", dialect="duckdb")
denied("star", "eve", "SELECT * FROM crm.main.customers", resource="crm.main.customers")
allowed(
    "star",
    "sam",
    "SELECT * EXCLUDE (national_id) FROM crm.main.customers ORDER BY customer_id",
    num_rows_is(EMEA),
    dialect="duckdb",
)
allowed("star", "ada", "SELECT * FROM crm.main.customers", ada_customers)
allowed("star", "ada", "SELECT c.* FROM crm.main.customers AS c ORDER BY c.customer_id", ada_customers)
allowed("star", "sam", "SELECT t.* FROM crm.main.support_tickets AS t ORDER BY 1", column_is(emea_ticket_ids))
denied(
    "star", "ada", "SELECT COLUMNS('.*') FROM crm.main.customers", "FUNCTION_NOT_ALLOWED", dialect="duckdb"
)
# Star patterns and positional references name no column a check could see: refused for everyone.
denied("star", "ada", "SELECT * LIKE '%mail' FROM crm.main.customers", "NOT_SUPPORTED", dialect="duckdb")
denied("star", "ada", "SELECT #5 FROM crm.main.customers", "NOT_SUPPORTED", dialect="duckdb")
for _sql, _dialect in [
    ("SELECT COLUMNS('national.*') FROM crm.main.customers", "duckdb"),
    ("SELECT COLUMNS(*) FROM crm.main.customers", "duckdb"),
    ("SELECT COLUMNS('nat.*') FROM crm.main.customers", None),
    ("SELECT COLUMNS('nat.*') FROM crm.main.customers", "postgres"),
    ("SELECT COLUMNS(c -> c LIKE 'nat%') FROM crm.main.customers", "duckdb"),
    ("SELECT max(COLUMNS('nat.*')) FROM crm.main.customers", "duckdb"),
    ("SELECT CAST(COLUMNS('nat.*') AS integer) FROM crm.main.customers", "duckdb"),
]:
    denied("star", "sam", _sql, "ACCESS_DENIED", "FUNCTION_NOT_ALLOWED", dialect=_dialect, clean_ok=True)
denied(
    "star",
    "sam",
    "SELECT customer_id FROM crm.main.customers WHERE COLUMNS('nat.*') LIKE '<<NID_A_PREFIX>>%'",
    "ACCESS_DENIED",
    "FUNCTION_NOT_ALLOWED",
    check=lambda t, x: None if x.a.customer_id not in first_column(t) else pytest.fail("filtered on it"),
    dialect="duckdb",
    clean_ok=True,
)
for _sql, _dialect in [
    ("SELECT * LIKE 'nat%' FROM crm.main.customers", None),
    ("SELECT * LIKE 'nat%' FROM crm.main.customers", "postgres"),
    ("SELECT c.* LIKE 'nat%' FROM crm.main.customers AS c", "duckdb"),
    ("SELECT * SIMILAR TO 'nat.*' FROM crm.main.customers", "duckdb"),
]:
    denied("star", "sam", _sql, "ACCESS_DENIED", "NOT_SUPPORTED", dialect=_dialect, clean_ok=True)
denied(
    "star",
    "sam",
    "SELECT #5 FROM crm.main.customers",
    "ACCESS_DENIED",
    "NOT_SUPPORTED",
    dialect="duckdb",
    clean_ok=True,
)
denied("star", "sam", "SELECT #5 FROM crm.main.customers", "SQL_SYNTAX_ERROR")  # not Trino syntax

# table alias column lists ------------------------------------------------------------------------
for _sql, _dialect in [
    ("SELECT e FROM crm.main.customers AS c(a, b, c2, d, e)", None),
    ("SELECT * FROM crm.main.customers AS c(a, b, c2, d, e)", None),
    ("SELECT e FROM crm.main.customers AS c(a, b, c2, d, e)", "postgres"),
    ("SELECT e FROM crm.main.customers AS c(a, b, c2, d, e)", "mysql"),
]:
    denied("alias_columns", "sam", _sql, dialect=_dialect, clean_ok=True)
allowed(
    "alias_columns",
    "ada",
    "SELECT e FROM crm.main.customers AS c(a, b, c2, d, e) ORDER BY a",
    column_is(lambda t: [mask_hash(c.national_id) for c in t.customers]),
)
allowed(
    "alias_columns",
    "sam",
    "SELECT a, c FROM crm.main.customers AS t(a, b, c) ORDER BY a",
    rows_are(lambda t: [(c.customer_id, mask_last_4(c.email)) for c in t.emea]),
)


# quoting and case ---------------------------------------------------------------------------------
denied(
    "quoting",
    "sam",
    'SELECT national_id FROM "CRM"."MAIN"."CUSTOMERS"',
    resource="crm.main.customers.national_id",
)
denied("quoting", "sam", 'SELECT * FROM "CRM"."MAIN"."CONTRACTS"', resource="CRM.MAIN.CONTRACTS")
denied("quoting", "sam", "SELECT * FROM CRM.Main.Contracts")
denied("quoting", "sam", 'SELECT "national_id" FROM "crm"."main"."customers"')
# Unquoted or quoted mixed case: Lakegate must either refuse or authorize the real column.
denied("quoting", "sam", 'SELECT "National_Id" FROM crm.main.customers', "ACCESS_DENIED", "COLUMN_NOT_FOUND")
denied("quoting", "sam", "SELECT NATIONAL_ID FROM crm.main.customers", "ACCESS_DENIED", "COLUMN_NOT_FOUND")
denied(
    "quoting",
    "ada",
    "SeLeCt EmAiL FrOm CrM.MaIn.CuStOmErS",
    "COLUMN_NOT_FOUND",
    clean_ok=True,
)
allowed(
    "quoting",
    "ada",
    'SELECT "email" FROM "CRM"."MAIN"."CUSTOMERS" ORDER BY "customer_id"',
    column_is(lambda t: [mask_last_4(c.email) for c in t.customers]),
)
allowed(
    "quoting",
    "sam",
    'SELECT 1 AS "a"" FROM lg_crm.main.customers --"',
    scalar_is(lambda t: 1),
)
denied("quoting", "sam", "SELECT `national_id` FROM `crm`.`main`.`customers`", dialect="mysql")
denied("quoting", "sam", "SELECT TOP 1 * FROM [crm].[main].[contracts]", dialect="tsql")
denied("quoting", "sam", "SELECT * FROM `crm.main.contracts`", dialect="bigquery")
denied("quoting", "sam", "SELECT COUNT(*) FROM CRM.MAIN.CONTRACTS", dialect="snowflake")


# unicode ------------------------------------------------------------------------------------------
denied("unicode", "sam", "SELECT * FROM crm.main.\uff43ontracts")  # full-width c
denied("unicode", "sam", "SELECT * FROM crm.main.\u0441ontracts")  # Cyrillic es
denied("unicode", "ada", "SELECT * FROM crm.main.\u0441ustomers")  # not the real table, and hidden
denied("unicode", "eve", "SELECT count(*) FROM \uff43\uff52\uff4d.main.customers")
denied("unicode", "sam", 'SELECT * FROM crm.main."contracts\u200b"')
denied("unicode", "ada", "SELECT \uff45mail FROM crm.main.customers", "COLUMN_NOT_FOUND")
denied("unicode", "sam", "SELECT n\uff41tional_id FROM crm.main.customers", "COLUMN_NOT_FOUND")
denied("unicode", "sam", 'SELECT "national_id\u200b" FROM crm.main.customers', "COLUMN_NOT_FOUND")
denied(
    "unicode",
    "sam",
    "\uff33\uff25\uff2c\uff25\uff23\uff34 national_id FROM crm.main.customers",
    "SQL_SYNTAX_ERROR",
)
