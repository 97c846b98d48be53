"""Adversarial corpus, statement routes: comments, multiple statements, system tables, engine functions,
EXPLAIN, SHOW/DESCRIBE, other dialects, count(*)."""

from __future__ import annotations

from tests.security.corpus import (
    EMEA,
    ZERO,
    allowed,
    column_is,
    denied,
    num_rows_is,
    plan_only,
    sam_customers,
    scalar_is,
)
from tests.security.oracle import mask_last_4

# comments -------------------------------------------------------------------------------------
denied("comments", "sam", "SELECT * FROM crm . /* x */ main . -- y\ncontracts", resource="crm.main.contracts")
denied("comments", "sam", "SELECT national_id/**/FROM/**/crm.main.customers")
denied("comments", "sam", "SELECT /* customer_id */ national_id FROM crm.main.customers")
allowed(
    "comments",
    "sam",
    "SELECT count(*) -- */ ; SELECT national_id FROM lg_crm.main.customers; /*\nFROM crm.main.customers",
    scalar_is(EMEA),
)
allowed(
    "comments",
    "sam",
    "SELECT count(*) /* a /* b */ FROM crm.main.customers",
    scalar_is(EMEA),
)
denied(
    "comments",
    "sam",
    "SELECT count(*) /* a /* b */ FROM crm.main.customers",
    "SQL_SYNTAX_ERROR",
    dialect="duckdb",
)
allowed(
    "comments",
    "ada",
    "SELECT email /*, national_id */ FROM crm.main.customers ORDER BY customer_id",
    column_is(lambda t: [mask_last_4(c.email) for c in t.customers]),
)
allowed(
    "comments",
    "sam",
    "SELECT count(*) FROM crm.main.customers --\nWHERE region <> 'EMEA'",
    scalar_is(ZERO),
)


# multiple statements --------------------------------------------------------------------------------
denied("multi", "sam", "SELECT 1; SELECT national_id FROM crm.main.customers", "MULTIPLE_STATEMENTS")
denied("multi", "sam", "SELECT 1 -- x\n; SELECT national_id FROM crm.main.customers", "MULTIPLE_STATEMENTS")
denied("multi", "sam", "SELECT 1 /* ; */ ; SELECT national_id FROM crm.main.customers", "MULTIPLE_STATEMENTS")
denied(
    "multi",
    "ada",
    "SELECT email FROM crm.main.customers; ATTACH '<<CRM_PATH>>' AS raw",
    "MULTIPLE_STATEMENTS",
    "SQL_SYNTAX_ERROR",
)
denied(
    "multi", "eve", "SELECT 1; SELECT * FROM lg_crm.main.customers", "MULTIPLE_STATEMENTS", dialect="duckdb"
)
denied("multi", "sam", "SELECT 1; DETACH lg_crm", "MULTIPLE_STATEMENTS")

# system tables and DuckDB internals -------------------------------------------------------------
denied("system", "ada", "SELECT * FROM system.main.duckdb_tables", resource="system.main.duckdb_tables")
denied("system", "ada", "SELECT * FROM system.information_schema.columns", dialect="duckdb")
denied("system", "ada", "SELECT * FROM information_schema.columns", "CATALOG_NOT_FOUND")
denied("system", "ada", "SELECT * FROM information_schema.columns", catalog="crm")
denied("system", "ada", "SELECT * FROM lg_crm.information_schema.columns")
denied("system", "ada", "SELECT * FROM crm.information_schema.columns")
denied("system", "ada", "SELECT * FROM crm.pg_catalog.pg_tables", dialect="postgres")
denied("system", "ada", "SELECT * FROM pg_catalog.pg_class", "CATALOG_NOT_FOUND", dialect="postgres")
denied("system", "ada", "SELECT * FROM temp.main.t", dialect="duckdb")
denied("system", "ada", "SELECT * FROM memory.main.t", dialect="duckdb")
denied("system", "sam", "SELECT * FROM lg_crm.main.customers", resource="lg_crm.main.customers")
denied("system", "sam", 'SELECT * FROM "lg_crm"."main"."customers"')
denied("system", "ada", "SELECT email FROM lg_crm.main.customers")
denied("system", "eve", "SELECT * FROM lg_crm.main.customers")
denied("system", "ada", "SELECT * FROM customers", catalog="lg_crm", schema="main")
denied("system", "root", "SELECT * FROM lg_crm.main.customers", "CATALOG_NOT_FOUND")

# engine functions -----------------------------------------------------------------------------
_FN = "FUNCTION_NOT_ALLOWED"
denied("functions", "ada", "SELECT * FROM read_csv('<<CRM_PATH>>')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM read_csv_auto('<<CRM_PATH>>')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT read_text('/etc/passwd')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT read_text('<<CRM_PATH>>')", _FN)
denied("functions", "ada", "SELECT \"read_text\"('/etc/passwd')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM sqlite_scan('<<CRM_PATH>>', 'customers')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM TABLE(sqlite_scan('<<CRM_PATH>>', 'customers'))", _FN)
denied("functions", "ada", "SELECT * FROM sqlite_attach('<<CRM_PATH>>')", _FN, dialect="duckdb")
denied(
    "functions", "ada", "SELECT * FROM query('SELECT * FROM lg_crm.main.customers')", _FN, dialect="duckdb"
)
denied("functions", "ada", "SELECT query('SELECT 1')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM query_table('lg_crm.main.customers')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT current_setting('allowed_directories')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT glob('*')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT getenv('HOME')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT getvariable('x')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT json_execute_serialized_sql('{}')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT count(*) FROM duckdb_tables()", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM pragma_table_info('lg_crm.main.customers')", _FN, dialect="duckdb")
denied("functions", "ada", "SELECT * FROM '<<CRM_PATH>>'", "SCHEMA_NOT_FOUND", dialect="duckdb")
denied(
    "functions", "ada", "SELECT * FROM '<<CRM_PATH>>'", "TABLE_NOT_FOUND", catalog="lake", schema="shipping"
)

# EXPLAIN ------------------------------------------------------------------------------------
denied(
    "explain",
    "sam",
    "EXPLAIN SELECT national_id FROM crm.main.customers",
    resource="crm.main.customers.national_id",
)
denied("explain", "sam", "EXPLAIN ANALYZE SELECT * FROM crm.main.contracts", resource="crm.main.contracts")
denied("explain", "sam", "EXPLAIN (TYPE DISTRIBUTED) SELECT count(*) FROM crm.main.contracts")
denied("explain", "sam", "EXPLAIN EXPLAIN SELECT national_id FROM crm.main.customers")
denied("explain", "eve", "EXPLAIN SELECT count(*) FROM crm.main.customers", resource="crm.main.customers")
denied("explain", "sam", "EXPLAIN SELECT national_id FROM crm.main.customers", dialect="duckdb")
denied("explain", "sam", "EXPLAIN SELECT national_id FROM crm.main.customers", dialect="postgres")
denied(
    "explain",
    "sam",
    "EXPLAIN SELECT national_id FROM crm.main.customers",
    "STATEMENT_NOT_ALLOWED",
    dialect="mysql",
)
allowed("explain", "sam", "EXPLAIN SELECT email, full_name FROM crm.main.customers", plan_only)
allowed("explain", "ada", "EXPLAIN SELECT * FROM crm.main.customers", plan_only)

# SHOW / DESCRIBE -----------------------------------------------------------------------------------
allowed("metadata", "sam", "SHOW TABLES FROM crm.main", column_is(lambda t: ["customers", "support_tickets"]))
allowed("metadata", "sam", "SHOW TABLES FROM crm.main LIKE 'contr%'", num_rows_is(ZERO))
allowed("metadata", "ada", "SHOW TABLES FROM crm.main", column_is(lambda t: ["contracts", "customers"]))
allowed(
    "metadata",
    "sam",
    "SHOW COLUMNS FROM crm.main.customers",
    column_is(
        lambda t: ["customer_id", "full_name", "email", "phone", "region", "country", "created_at", "segment"]
    ),
)
allowed(
    "metadata",
    "sam",
    "DESCRIBE crm.main.customers",
    column_is(
        lambda t: ["customer_id", "full_name", "email", "phone", "region", "country", "created_at", "segment"]
    ),
)
allowed("metadata", "eve", "SHOW CATALOGS", num_rows_is(ZERO))
denied("metadata", "sam", "DESCRIBE crm.main.contracts", "TABLE_NOT_FOUND")
denied("metadata", "sam", "SHOW COLUMNS FROM crm.main.contracts", "TABLE_NOT_FOUND")
denied("metadata", "ada", "DESCRIBE crm.main.support_tickets", "TABLE_NOT_FOUND")
denied("metadata", "eve", "SHOW SCHEMAS FROM crm", "CATALOG_NOT_FOUND")
denied("metadata", "eve", "SHOW TABLES FROM crm.main", "CATALOG_NOT_FOUND")
denied("metadata", "eve", "DESCRIBE crm.main.customers", "CATALOG_NOT_FOUND")
denied("metadata", "eve", "SHOW COLUMNS FROM tpch.tiny.nation", "CATALOG_NOT_FOUND")
denied("metadata", "eve", "SHOW SCHEMAS FROM lg_crm", "CATALOG_NOT_FOUND")
denied("metadata", "sam", "DESCRIBE lg_crm.main.customers", "CATALOG_NOT_FOUND", dialect="duckdb")
denied("metadata", "sam", "SHOW CREATE TABLE crm.main.customers", "STATEMENT_NOT_ALLOWED")
denied("metadata", "sam", "SHOW STATS FOR crm.main.customers", "STATEMENT_NOT_ALLOWED")
denied("metadata", "sam", "SHOW ALL TABLES", "STATEMENT_NOT_ALLOWED", dialect="duckdb")
denied("metadata", "sam", "PRAGMA show_tables", "STATEMENT_NOT_ALLOWED", dialect="duckdb")
denied("metadata", "sam", "SUMMARIZE crm.main.customers", "STATEMENT_NOT_ALLOWED", dialect="duckdb")
denied(
    "metadata", "sam", "DESCRIBE SELECT * FROM crm.main.customers", "STATEMENT_NOT_ALLOWED", dialect="duckdb"
)

# the same attacks in other SQL dialects --------------------------------------------------------
for _dialect in ("postgres", "mysql", "spark", "clickhouse", "snowflake", "tsql", "oracle", "sqlite", "hive"):
    denied("dialects", "sam", "SELECT national_id FROM crm.main.customers", dialect=_dialect)
denied("dialects", "sam", "FROM crm.main.customers SELECT national_id", dialect="duckdb")
denied("dialects", "sam", "FROM crm.main.customers", dialect="duckdb")
denied("dialects", "eve", "SELECT COUNT(*) FROM crm.main.customers", dialect="mysql")
denied("dialects", "sam", "SELECT 1", "UNSUPPORTED_DIALECT", dialect="klingon")
for _dialect in ("postgres", "mysql", "duckdb", "bigquery"):
    allowed(
        "dialects",
        "ada",
        "SELECT email FROM crm.main.customers ORDER BY customer_id",
        column_is(lambda t: [mask_last_4(c.email) for c in t.customers]),
        dialect=_dialect,
    )
allowed(
    "dialects",
    "sam",
    "SELECT count(*) FROM crm.main.customers WHERE region <> 'EMEA'",
    scalar_is(ZERO),
    dialect="postgres",
)
allowed(
    "dialects",
    "sam",
    "SELECT customer_id, full_name, email, phone, region, country FROM crm.main.customers ORDER BY customer_id",
    sam_customers,
    dialect="duckdb",
)

# count(*) and reads without columns ------------------------------------------------------------
for _table in ("crm.main.customers", "crm.main.support_tickets", "tpch.tiny.nation", "lake.shipping.vessels"):
    denied("count_star", "eve", f"SELECT count(*) FROM {_table}", resource=_table)
denied("count_star", "eve", "SELECT 1 FROM crm.main.customers LIMIT 0")
denied("count_star", "eve", "SELECT count(*) FROM crm.main.customers WHERE false")
denied("count_star", "sam", "SELECT count(*) FROM crm.main.contracts", resource="crm.main.contracts")
denied(
    "count_star", "ada", "SELECT count(*) FROM crm.main.support_tickets", resource="crm.main.support_tickets"
)
allowed("count_star", "sam", "SELECT count(*) FROM crm.main.customers", scalar_is(EMEA))
allowed(
    "count_star",
    "sam",
    "SELECT count(*) FROM crm.main.support_tickets",
    scalar_is(lambda t: len(t.emea_tickets)),
)
allowed(
    "count_star",
    "sam",
    "SELECT count(1) FROM crm.main.customers, crm.main.support_tickets",
    scalar_is(lambda t: len(t.emea) * len(t.emea_tickets)),
)
allowed("count_star", "ada", "SELECT count(*) FROM crm.main.customers", scalar_is(lambda t: len(t.customers)))
allowed(
    "count_star",
    "sam",
    "SELECT customer_id, full_name, email, phone, region, country FROM crm.main.customers ORDER BY customer_id",
    sam_customers,
)
