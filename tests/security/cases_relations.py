"""Adversarial corpus, relation routes: subqueries, VALUES, CTEs, joins, set operations, LATERAL, correlation."""

from __future__ import annotations

from tests.security.corpus import (
    EMEA,
    ZERO,
    ada_customers,
    allowed,
    column_is,
    denied,
    emea_ticket_ids,
    num_rows_is,
    rows_are,
    scalar_is,
)
from tests.security.oracle import mask_last_4

# subqueries, nesting ----------------------------------------------------------------------------
denied("subquery", "sam", "SELECT x FROM (SELECT national_id AS x FROM crm.main.customers) AS s")
denied(
    "subquery",
    "sam",
    "SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT national_id AS x "
    "FROM crm.main.customers) a) b) c) d",
)
allowed(
    "subquery",
    "ada",
    "SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT x FROM (SELECT email AS x, customer_id AS i "
    "FROM crm.main.customers) a ORDER BY i LIMIT 1) b) c) d",
    scalar_is(lambda t: mask_last_4(t.customers[0].email)),
)
denied("subquery", "sam", "SELECT (SELECT max(national_id) FROM crm.main.customers) AS m")
denied(
    "subquery",
    "sam",
    "SELECT 1 LIMIT (SELECT CASE WHEN national_id LIKE '9%' THEN 1 ELSE 0 END FROM crm.main.customers "
    "WHERE customer_id = <<A>>)",
)
denied(
    "subquery",
    "sam",
    "SELECT full_name FROM crm.main.customers WHERE customer_id IN "
    "(SELECT customer_id FROM crm.main.customers WHERE national_id LIKE '9%')",
)
denied(
    "subquery",
    "sam",
    "SELECT r_name FROM tpch.tiny.region ORDER BY (SELECT national_id FROM crm.main.customers "
    "WHERE customer_id = <<A>>)",
)
denied("subquery", "sam", "SELECT count(*) FROM (SELECT * FROM crm.main.customers) AS s")
denied(
    "subquery", "sam", "SELECT * FROM (VALUES ((SELECT national_id FROM crm.main.customers LIMIT 1))) AS v(x)"
)
allowed(
    "subquery",
    "sam",
    "SELECT count(*) FROM (SELECT customer_id FROM crm.main.customers WHERE region <> 'EMEA') AS s",
    scalar_is(ZERO),
)
denied("subquery", "eve", "SELECT (SELECT count(*) FROM lake.shipping.vessels) AS n")

# VALUES and table-less tricks ------------------------------------------------------------------
for _sql, _dialect in [
    ("VALUES ((SELECT national_id FROM crm.main.customers WHERE customer_id = <<A>>))", None),
    ("VALUES ((SELECT national_id FROM crm.main.customers WHERE customer_id = <<A>>))", "postgres"),
    ("VALUES ((SELECT national_id FROM crm.main.customers WHERE customer_id = <<A>>))", "duckdb"),
    ("VALUES ROW((SELECT national_id FROM crm.main.customers WHERE customer_id = <<A>>))", "mysql"),
]:
    denied("values", "sam", _sql, dialect=_dialect, clean_ok=True)
denied("values", "eve", "VALUES ((SELECT count(*) FROM crm.main.customers))", resource="crm.main.customers")
allowed(
    "values",
    "ada",
    "VALUES ((SELECT max(email) FROM crm.main.customers))",
    scalar_is(lambda t: max(mask_last_4(c.email) for c in t.customers)),
)
allowed("values", "sam", "VALUES ((SELECT count(*) FROM crm.main.customers))", scalar_is(EMEA))
allowed("values", "eve", "SELECT 1 AS one", scalar_is(lambda t: 1))
allowed("values", "eve", "VALUES (1, 'a')", rows_are(lambda t: [(1, "a")]))
allowed(
    "values",
    "eve",
    "SELECT national_id FROM (VALUES ('x')) AS customers(national_id)",
    scalar_is(lambda t: "x"),
)
allowed(
    "values",
    "sam",
    "SELECT '; SELECT national_id FROM crm.main.customers' AS s",
    scalar_is(lambda t: "; SELECT national_id FROM crm.main.customers"),
)

# CTEs ------------------------------------------------------------------------------------------
allowed(
    "cte",
    "ada",
    "WITH customers AS (SELECT * FROM crm.main.customers) SELECT * FROM customers",
    ada_customers,
)
allowed(
    "cte",
    "ada",
    "WITH customers AS (SELECT * FROM customers) SELECT * FROM customers",
    ada_customers,
    catalog="crm",
    schema="main",
)
denied(
    "cte",
    "sam",
    "WITH customers AS (SELECT 1 AS national_id) SELECT customers.national_id FROM crm.main.customers",
    resource="crm.main.customers.national_id",
)
denied("cte", "sam", "WITH c AS (SELECT 1 AS national_id) SELECT c.national_id FROM crm.main.customers AS c")
allowed(
    "cte",
    "sam",
    "WITH customers AS (SELECT 7 AS national_id) SELECT national_id FROM customers",
    scalar_is(lambda t: 7),
    catalog="crm",
    schema="main",
)
denied("cte", "sam", "WITH x AS (SELECT * FROM crm.main.customers) SELECT customer_id FROM x")
denied("cte", "sam", "WITH x AS (SELECT national_id FROM crm.main.customers) SELECT count(*) FROM x")
denied(
    "cte",
    "sam",
    "WITH unused AS (SELECT * FROM crm.main.contracts) SELECT 1 AS one",
    resource="crm.main.contracts",
)
denied(
    "cte",
    "sam",
    "WITH RECURSIVE r AS (SELECT customer_id, national_id FROM crm.main.customers UNION ALL "
    "SELECT 1, 'x' FROM r WHERE false) SELECT * FROM r",
    dialect="duckdb",
)
allowed(
    "cte",
    "sam",
    "WITH customers AS (SELECT customer_id, region FROM customers) SELECT count(*) FROM customers",
    scalar_is(EMEA),
    catalog="crm",
    schema="main",
)
allowed(
    "cte",
    "sam",
    "WITH contracts AS (SELECT customer_id FROM crm.main.customers) SELECT count(*) FROM contracts",
    scalar_is(EMEA),
    catalog="crm",
    schema="main",
)
denied("cte", "sam", "WITH contracts AS (SELECT 1 AS x) SELECT * FROM crm.main.contracts")
allowed(
    "cte",
    "eve",
    "WITH customers AS (SELECT 1 AS x) SELECT * FROM customers",
    scalar_is(lambda t: 1),
    catalog="crm",
    schema="main",
)
denied("cte", "eve", "WITH x AS (SELECT 1 AS y) SELECT * FROM x, crm.main.customers")

# joins ------------------------------------------------------------------------------------------
allowed(
    "join",
    "sam",
    "SELECT a.full_name, b.phone FROM crm.main.customers AS a JOIN crm.main.customers AS b "
    "ON b.customer_id = a.customer_id + 1",
)
allowed(
    "join",
    "sam",
    "SELECT count(*) FROM crm.main.customers AS a JOIN crm.main.customers AS b ON a.customer_id <> b.customer_id",
    scalar_is(lambda t: len(t.emea) * (len(t.emea) - 1)),
)
allowed(
    "join",
    "sam",
    "SELECT t.region, count(*) FROM crm.main.support_tickets AS t JOIN crm.main.customers AS c "
    "ON c.customer_id = t.customer_id GROUP BY t.region",
    rows_are(lambda t: [("EMEA", len(t.emea_tickets))]),
)
allowed(
    "join",
    "sam",
    "SELECT t.ticket_id, c.full_name FROM crm.main.support_tickets AS t LEFT JOIN crm.main.customers AS c "
    "ON c.customer_id = t.customer_id ORDER BY t.ticket_id",
    column_is(emea_ticket_ids),
)
allowed(
    "join",
    "sam",
    "SELECT c.full_name FROM crm.main.customers AS c RIGHT JOIN crm.main.support_tickets AS t "
    "ON t.customer_id = c.customer_id WHERE t.region <> 'EMEA' OR c.region <> 'EMEA'",
    num_rows_is(ZERO),
)
allowed(
    "join",
    "sam",
    "SELECT count(*) FROM crm.main.support_tickets AS t FULL OUTER JOIN crm.main.customers AS c "
    "ON c.customer_id = t.customer_id WHERE c.customer_id = <<OUT_ID>> OR t.customer_id = <<OUT_ID>>",
    scalar_is(ZERO),
)
allowed(
    "join",
    "sam",
    "SELECT count(*) FROM crm.main.support_tickets AS t WHERE t.customer_id NOT IN "
    "(SELECT customer_id FROM crm.main.customers)",
    scalar_is(lambda t: sum(1 for k in t.emea_tickets if k[1] not in {c.customer_id for c in t.emea})),
)
denied(
    "join",
    "sam",
    "SELECT c.full_name FROM crm.main.customers AS c JOIN crm.main.contracts AS k ON k.customer_id = c.customer_id",
    resource="crm.main.contracts",
)
denied("join", "sam", "SELECT * FROM crm.main.customers JOIN crm.main.support_tickets USING (customer_id)")
denied(
    "join", "sam", "SELECT * FROM crm.main.customers NATURAL JOIN crm.main.support_tickets", dialect="duckdb"
)
denied(
    "join",
    "sam",
    "SELECT a.customer_id FROM crm.main.customers AS a JOIN crm.main.customers AS b "
    "ON a.national_id = b.national_id",
)
denied(
    "join",
    "ada",
    "SELECT c.full_name FROM crm.main.customers AS c JOIN crm.main.support_tickets AS t "
    "ON t.customer_id = c.customer_id",
    resource="crm.main.support_tickets",
)
allowed(
    "join",
    "ada",
    "SELECT c.email, k.value_eur FROM crm.main.customers AS c JOIN crm.main.contracts AS k "
    "ON k.customer_id = c.customer_id",
    num_rows_is(lambda t: t.contract_count),
)

# UNION / INTERSECT / EXCEPT --------------------------------------------------------------------
denied(
    "setop",
    "sam",
    "SELECT email FROM crm.main.customers UNION ALL SELECT national_id FROM crm.main.customers",
)
denied(
    "setop",
    "sam",
    "SELECT customer_id FROM crm.main.customers UNION SELECT customer_id FROM crm.main.contracts",
    resource="crm.main.contracts",
)
allowed(
    "setop",
    "sam",
    "SELECT full_name FROM crm.main.customers UNION SELECT subject FROM crm.main.support_tickets",
)
allowed(
    "setop",
    "sam",
    "SELECT customer_id FROM crm.main.customers INTERSECT SELECT customer_id FROM crm.main.support_tickets",
    column_is(
        lambda t: sorted({c.customer_id for c in t.emea} & {k[1] for k in t.emea_tickets}), ordered=False
    ),
)
allowed(
    "setop",
    "sam",
    "SELECT customer_id FROM crm.main.support_tickets EXCEPT SELECT customer_id FROM crm.main.customers",
    num_rows_is(lambda t: len({k[1] for k in t.emea_tickets} - {c.customer_id for c in t.emea})),
)
allowed(
    "setop",
    "ada",
    "SELECT email FROM crm.main.customers UNION ALL SELECT phone FROM crm.main.customers",
    num_rows_is(lambda t: 2 * len(t.customers)),
)
allowed(
    "setop",
    "ada",
    "SELECT national_id FROM crm.main.customers INTERSECT SELECT '<<NID_A>>'",
    num_rows_is(ZERO),
)
allowed(
    "setop",
    "ada",
    "SELECT email FROM crm.main.customers EXCEPT SELECT '<<EMAIL_A>>'",
    num_rows_is(lambda t: len({mask_last_4(c.email) for c in t.customers})),
)

# LATERAL and UNNEST ------------------------------------------------------------------------------
denied(
    "lateral",
    "sam",
    "SELECT l.n FROM crm.main.customers AS c CROSS JOIN LATERAL (SELECT c.national_id AS n) AS l",
)
denied(
    "lateral",
    "sam",
    "SELECT c.customer_id FROM crm.main.customers AS c, LATERAL (SELECT * FROM crm.main.contracts AS k "
    "WHERE k.customer_id = c.customer_id) AS l",
    resource="crm.main.contracts",
)
denied(
    "lateral",
    "sam",
    "SELECT u.x FROM crm.main.customers AS c CROSS JOIN UNNEST(ARRAY[c.national_id]) AS u(x)",
)
allowed(
    "lateral",
    "sam",
    "SELECT l.n FROM crm.main.customers AS c, LATERAL (SELECT c.full_name AS n) AS l ORDER BY c.customer_id",
    column_is(lambda t: [c.full_name for c in t.emea]),
)
allowed(
    "lateral",
    "ada",
    "SELECT l.e FROM crm.main.customers AS c CROSS JOIN LATERAL (SELECT c.email AS e) AS l "
    "ORDER BY c.customer_id",
    column_is(lambda t: [mask_last_4(c.email) for c in t.customers]),
)

# correlated subqueries ---------------------------------------------------------------------------
denied(
    "correlated",
    "sam",
    "SELECT c.customer_id FROM crm.main.customers AS c WHERE EXISTS "
    "(SELECT 1 FROM crm.main.contracts AS k WHERE k.customer_id = c.customer_id)",
    resource="crm.main.contracts",
)
denied(
    "correlated",
    "sam",
    "SELECT c.full_name FROM crm.main.customers AS c WHERE EXISTS (SELECT 1 FROM crm.main.customers AS d "
    "WHERE d.customer_id = c.customer_id AND d.national_id LIKE '9%')",
)
denied(
    "correlated",
    "sam",
    "SELECT c.full_name FROM crm.main.customers AS c WHERE c.customer_id IN "
    "(SELECT t.customer_id FROM crm.main.support_tickets AS t WHERE c.national_id LIKE '9%')",
)
denied("correlated", "sam", "SELECT (SELECT c.national_id) AS n FROM crm.main.customers AS c")
allowed(
    "correlated",
    "sam",
    "SELECT sum((SELECT count(*) FROM crm.main.support_tickets AS t WHERE t.customer_id = c.customer_id)) "
    "FROM crm.main.customers AS c",
    scalar_is(lambda t: sum(1 for k in t.emea_tickets if k[1] in {c.customer_id for c in t.emea})),
)
allowed(
    "correlated",
    "ada",
    "SELECT (SELECT max(d.email) FROM crm.main.customers AS d WHERE d.customer_id = c.customer_id) "
    "FROM crm.main.customers AS c ORDER BY c.customer_id",
    column_is(lambda t: [mask_last_4(c.email) for c in t.customers]),
)
allowed(
    "correlated",
    "sam",
    "SELECT count(*) FROM crm.main.customers AS c WHERE NOT EXISTS "
    "(SELECT 1 FROM crm.main.support_tickets AS t WHERE t.customer_id = c.customer_id)",
    scalar_is(lambda t: len({c.customer_id for c in t.emea} - {k[1] for k in t.emea_tickets})),
)
