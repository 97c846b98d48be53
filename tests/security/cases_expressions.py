"""Adversarial corpus, expression routes: predicates, GROUP/ORDER BY, windows, aggregates, CASE, casts."""

from __future__ import annotations

import re

from tests.security.corpus import (
    EMEA,
    ZERO,
    all_cells,
    allowed,
    column_is,
    denied,
    num_rows_is,
    rows_are,
    scalar_is,
)
from tests.security.oracle import mask_hash, mask_initial, mask_last_4, mask_redact

# predicates probing masked or filtered values --------------------------------------------------
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE national_id = '<<NID_A>>'",
    scalar_is(ZERO),
)
allowed(
    "predicate", "ada", "SELECT count(*) FROM crm.main.customers WHERE email = '<<EMAIL_A>>'", scalar_is(ZERO)
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE email LIKE '<<EMAIL_A_LOCAL>>%'",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE full_name = '<<NAME_A>>'",
    scalar_is(ZERO),
)
allowed(
    "predicate", "ada", "SELECT count(*) FROM crm.main.customers WHERE phone = '<<PHONE_A>>'", scalar_is(ZERO)
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE country = '<<COUNTRY_A>>'",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE national_id < '5'",
    scalar_is(lambda t: sum(1 for c in t.customers if mask_hash(c.national_id) < "5")),
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE substr(national_id, 1, 3) = substr('<<NID_A>>', 1, 3)",
    scalar_is(lambda t: sum(1 for c in t.customers if mask_hash(c.national_id)[:3] == t.a.national_id[:3])),
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE email LIKE '%.net'",
    scalar_is(lambda t: sum(1 for c in t.customers if c.email.endswith(".net"))),
)
allowed(
    "predicate",
    "ada",
    "SELECT count(*) FROM crm.main.customers WHERE length(email) = length('<<EMAIL_A>>') "
    "AND position('@' IN email) > 0",
    scalar_is(ZERO),
)
allowed("predicate", "sam", "SELECT count(*) FROM crm.main.customers WHERE region <> 'EMEA'", scalar_is(ZERO))
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE region = 'APAC' OR 1 = 1",
    scalar_is(EMEA),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.support_tickets WHERE region IN ('APAC', 'AMER')",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE full_name = '<<OUT_NAME>>'",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE phone = '<<OUT_PHONE>>'",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE customer_id = <<OUT_ID>>",
    scalar_is(ZERO),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE customer_id > 250",
    scalar_is(lambda t: sum(1 for c in t.emea if c.customer_id > 250)),
)
allowed(
    "predicate",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE email LIKE '%<<EMAIL_A_LOCAL>>%'",
    scalar_is(ZERO),
)
denied("predicate", "sam", "SELECT count(*) FROM crm.main.customers WHERE national_id = '<<NID_A>>'")
denied("predicate", "sam", "SELECT count(*) FROM crm.main.customers WHERE national_id < '5'")
denied("predicate", "sam", "SELECT full_name FROM crm.main.customers WHERE national_id IS NOT NULL")

# GROUP BY / ORDER BY / HAVING -------------------------------------------------------------------
allowed(
    "order_group",
    "ada",
    "SELECT email, count(*) FROM crm.main.customers GROUP BY email",
    num_rows_is(lambda t: len({mask_last_4(c.email) for c in t.customers})),
)
allowed(
    "order_group",
    "ada",
    "SELECT full_name, count(*) FROM crm.main.customers GROUP BY full_name ORDER BY full_name",
    column_is(lambda t: sorted({mask_initial(c.full_name) for c in t.customers})),
)
allowed(
    "order_group",
    "ada",
    "SELECT national_id FROM crm.main.customers ORDER BY national_id LIMIT 5",
    column_is(lambda t: sorted(mask_hash(c.national_id) for c in t.customers)[:5]),
)
allowed(
    "order_group",
    "ada",
    "SELECT customer_id FROM crm.main.customers GROUP BY customer_id HAVING max(email) LIKE '<<EMAIL_A_LOCAL>>%'",
    num_rows_is(ZERO),
)
allowed(
    "order_group",
    "ada",
    "SELECT country, count(*) FROM crm.main.customers GROUP BY country",
    rows_are(lambda t: [(None, len(t.customers))]),
)
allowed(
    "order_group",
    "sam",
    "SELECT region, count(*) FROM crm.main.customers GROUP BY region",
    rows_are(lambda t: [("EMEA", len(t.emea))]),
)
allowed(
    "order_group",
    "sam",
    "SELECT customer_id, 'x' AS national_id FROM crm.main.customers ORDER BY national_id, customer_id",
    column_is(lambda t: [c.customer_id for c in t.emea]),
)
denied("order_group", "sam", "SELECT count(*) FROM crm.main.customers GROUP BY national_id")
denied("order_group", "sam", "SELECT full_name FROM crm.main.customers ORDER BY national_id")
denied(
    "order_group",
    "sam",
    "SELECT customer_id FROM crm.main.customers ORDER BY customer_id, lower(national_id)",
)
denied(
    "order_group",
    "sam",
    "SELECT region FROM crm.main.customers GROUP BY region HAVING max(national_id) > '5'",
)
denied(
    "order_group",
    "sam",
    "SELECT region AS national_id, count(*) FROM crm.main.customers GROUP BY national_id",
)
for _dialect in (None, "postgres", "duckdb"):
    denied(
        "order_group",
        "sam",
        "SELECT customer_id, 'x' AS national_id FROM crm.main.customers WHERE customer_id IN (<<A>>, <<B>>) "
        "ORDER BY CASE WHEN national_id = '<<NID_A>>' THEN 0 ELSE 1 END, customer_id DESC LIMIT 1",
        check=column_is(lambda t: [t.b.customer_id]),
        dialect=_dialect,
        clean_ok=True,
    )

# window functions and aggregates -----------------------------------------------------------------
denied(
    "window",
    "sam",
    "SELECT customer_id, lag(national_id) OVER (ORDER BY customer_id) FROM crm.main.customers",
)
denied(
    "window", "sam", "SELECT customer_id, count(*) OVER (PARTITION BY national_id) FROM crm.main.customers"
)
denied("window", "sam", "SELECT row_number() OVER (ORDER BY national_id) AS r FROM crm.main.customers")
denied(
    "window",
    "sam",
    "SELECT customer_id FROM crm.main.customers QUALIFY row_number() OVER (ORDER BY national_id) = 1",
    dialect="duckdb",
)
allowed(
    "window",
    "ada",
    "SELECT first_value(email) OVER (ORDER BY customer_id) FROM crm.main.customers LIMIT 1",
    scalar_is(lambda t: mask_last_4(t.customers[0].email)),
)
allowed(
    "window",
    "sam",
    "SELECT DISTINCT count(*) OVER () FROM crm.main.customers",
    scalar_is(EMEA),
)
allowed(
    "window",
    "ada",
    "SELECT max(national_id) OVER (PARTITION BY region) FROM crm.main.customers",
    all_cells(lambda v: isinstance(v, str) and re.fullmatch("[0-9A-F]{64}", v) is not None),
)
allowed(
    "aggregate",
    "ada",
    "SELECT max(email), min(phone), max(full_name), count(DISTINCT national_id), count(country) "
    "FROM crm.main.customers",
    rows_are(
        lambda t: [
            (
                max(mask_last_4(c.email) for c in t.customers),
                min(mask_redact(c.phone) for c in t.customers),
                max(mask_initial(c.full_name) for c in t.customers),
                len(t.customers),
                0,
            )
        ]
    ),
)
allowed("aggregate", "ada", "SELECT string_agg(email, ',') FROM crm.main.customers")
allowed("aggregate", "ada", "SELECT string_agg(full_name, ',') FROM crm.main.customers")
allowed("aggregate", "ada", "SELECT array_agg(phone) FROM crm.main.customers")
allowed(
    "aggregate",
    "ada",
    "SELECT list(national_id ORDER BY national_id) FROM crm.main.customers",
    dialect="duckdb",
)
allowed(
    "aggregate",
    "ada",
    "SELECT min_by(email, customer_id), arg_max(full_name, customer_id) FROM crm.main.customers",
    dialect="duckdb",
)
allowed(
    "aggregate",
    "sam",
    "SELECT min(full_name), count(DISTINCT phone) FROM crm.main.customers",
    rows_are(lambda t: [(min(c.full_name for c in t.emea), len({c.phone for c in t.emea}))]),
)
allowed(
    "aggregate",
    "sam",
    "SELECT string_agg(email, ',') FROM crm.main.customers",
)
allowed("aggregate", "sam", "SELECT array_agg(full_name) FROM crm.main.customers")
denied("aggregate", "sam", "SELECT count(DISTINCT national_id) FROM crm.main.customers")
denied("aggregate", "sam", "SELECT string_agg(national_id, ',') FROM crm.main.customers")
denied("aggregate", "sam", "SELECT max(length(national_id)) FROM crm.main.customers")
denied("aggregate", "sam", "SELECT count(national_id) FROM crm.main.customers")
denied("aggregate", "sam", "SELECT array_agg(customer_id ORDER BY national_id) FROM crm.main.customers")
denied(
    "aggregate",
    "sam",
    "SELECT 'x' AS national_id, count(DISTINCT CASE WHEN national_id LIKE '9%' THEN 1 END) "
    "FROM crm.main.customers",
)
denied(
    "aggregate",
    "sam",
    "SELECT 'x' AS national_id, string_agg(full_name, ',' ORDER BY national_id) FROM crm.main.customers",
    dialect="duckdb",
)
denied("aggregate", "sam", "SELECT min_by(full_name, national_id) FROM crm.main.customers")

# CASE and casts -------------------------------------------------------------------------------
denied("case", "sam", "SELECT CASE WHEN national_id LIKE '9%' THEN 1 END FROM crm.main.customers")
denied(
    "case",
    "sam",
    "SELECT sum(CASE WHEN substr(national_id, 1, 1) = '9' THEN 1 ELSE 0 END) FROM crm.main.customers",
)
allowed(
    "case",
    "ada",
    "SELECT sum(CASE WHEN email LIKE '<<EMAIL_A_LOCAL>>%' THEN 1 ELSE 0 END) FROM crm.main.customers",
    scalar_is(ZERO),
)
allowed(
    "case",
    "sam",
    "SELECT CASE WHEN region = 'EMEA' THEN full_name ELSE 'hidden' END FROM crm.main.customers "
    "ORDER BY customer_id",
    column_is(lambda t: [c.full_name for c in t.emea]),
)
denied("cast", "sam", "SELECT CAST(national_id AS varchar) FROM crm.main.customers")
denied("cast", "sam", "SELECT TRY_CAST(national_id AS bigint) FROM crm.main.customers")
denied("cast", "ada", "SELECT CAST(email AS integer) FROM crm.main.customers", "ENGINE_DATA_ERROR")
denied("cast", "ada", "SELECT CAST(full_name AS date) FROM crm.main.customers", "ENGINE_DATA_ERROR")
denied(
    "cast",
    "sam",
    "SELECT CAST(full_name AS integer) FROM crm.main.customers WHERE customer_id = <<OUT_ID>> OR true",
    "ENGINE_DATA_ERROR",
)
allowed(
    "cast",
    "ada",
    "SELECT TRY_CAST(national_id AS bigint) FROM crm.main.customers",
    all_cells(lambda v: v is None),
)
allowed("cast", "ada", "SELECT to_utf8(national_id), CAST(phone AS varbinary) FROM crm.main.customers")
allowed(
    "cast",
    "ada",
    "SELECT email::VARCHAR, national_id::BLOB FROM crm.main.customers",
    dialect="duckdb",
)
