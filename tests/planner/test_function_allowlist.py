"""allow_functions: every call in the user's tree is on the allowlist, wherever it stands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from auth.enforcement.function_allowlist import ALLOWED_CLASSES, ALLOWED_NAMES, is_allowed
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.passes.allow_functions import check_functions

TPCH = sorted((Path(__file__).resolve().parent.parent / "tpch").glob("q*.sql"))


def refusal(sql: str, dialect: str = "trino") -> str:
    with pytest.raises(LakegateError) as raised:
        check_functions(sqlglot.parse_one(sql, read=dialect), dialect)
    assert raised.value.code == ErrorCode.FUNCTION_NOT_ALLOWED
    return str(raised.value)


def test_the_22_tpch_queries_call_only_allowed_functions() -> None:
    assert len(TPCH) == 22
    for path in TPCH:
        check_functions(sqlglot.parse_one(path.read_text(), read="trino"))


ALLOWED = [
    ("trino", "SELECT upper(n_name), lower(n_comment), length(n_name) FROM t"),
    (
        "trino",
        "SELECT url_extract_host(u), url_extract_parameter(u, 'k'), url_encode(u), url_decode(u) FROM t",
    ),
    ("trino", "SELECT CASE WHEN coalesce(a, 0) > 1 THEN if(b, 1, 2) END FROM t"),
    ("trino", "SELECT transform(arr, x -> upper(x)), filter(arr, x -> x IS NOT NULL) FROM t"),
    ("trino", "SELECT row_number() OVER (PARTITION BY lower(a) ORDER BY abs(b)) FROM t"),
    ("trino", "SELECT count(*) FILTER (WHERE lower(a) = 'x'), approx_distinct(b) FROM t"),
    ("trino", "SELECT a FROM t CROSS JOIN UNNEST(t.arr) AS u(x)"),
    ("trino", "SELECT date_trunc('month', d), date_add('day', 1, d), date_diff('day', d, d) FROM t"),
    ("trino", "SELECT json_extract_scalar(j, '$.a'), regexp_like(a, 'x'), split_part(a, ',', 1) FROM t"),
    ("trino", 'SELECT "URL_EXTRACT_HOST"(u), Upper(a), "upper"(a) FROM t'),
    ("trino", "SELECT ROW(1, 2), ARRAY[1, 2], MAP(ARRAY['a'], ARRAY[1]), CAST(a AS varchar) FROM t"),
    ("trino", "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = lower(t.a))"),
    ("duckdb", "SELECT upper(a), strftime(d, '%Y'), list_transform(arr, x -> x + 1) FROM t"),
    ("duckdb", "SELECT [x * 2 FOR x IN arr], {'a': 1}, a::VARCHAR FROM t"),
    ("postgres", "SELECT ROW(1, 2), upper(a) FROM t"),
    ("mysql", "VALUES ROW(1, 2)"),
]


@pytest.mark.parametrize(("dialect", "sql"), ALLOWED)
def test_pure_functions_are_allowed(dialect: str, sql: str) -> None:
    check_functions(sqlglot.parse_one(sql, read=dialect), dialect)


REFUSED = [
    # the findings: plans, statistics, sleeping and logging
    ("trino", "SELECT json_serialize_plan('SELECT * FROM lg_crm.main.customers')", "json_serialize_plan"),
    ("duckdb", "SELECT json_serialize_plan('SELECT 1', optimize := true)", "json_serialize_plan"),
    ("trino", "SELECT stats(c_acctbal) FROM t", "stats"),
    ("trino", "SELECT pg_sleep(1)", "pg_sleep"),
    ("trino", "SELECT write_log('x')", "write_log"),
    ("duckdb", "SELECT getvariable('x')", "getvariable"),
    ("duckdb", "SELECT current_setting('allowed_directories')", "current_setting"),
    ("trino", "SELECT version()", "version"),
    ("trino", "SELECT current_catalog", "current_catalog"),
    ("trino", "SELECT sleep_ms(10)", "sleep_ms"),
    ("trino", "SELECT json_serialize_sql('SELECT 1')", "json_serialize_sql"),
    ("trino", "SELECT current_groups()", "current_groups"),
    # smuggled names: quoted, mixed case, qualified, method calls
    ("trino", "SELECT \"json_serialize_plan\"('SELECT 1')", "json_serialize_plan"),
    ("trino", "SELECT JSON_Serialize_Plan('SELECT 1')", "json_serialize_plan"),
    ("trino", "SELECT main.pg_sleep(1)", "pg_sleep"),
    ("trino", "SELECT system.json_serialize_plan('SELECT 1')", "json_serialize_plan"),
    ("trino", 'SELECT "lg_crm".main.f()', "f"),
    ("trino", "SELECT system.main.upper('x')", "upper"),
    ("trino", "SELECT memory.main.url_extract_host('x')", "url_extract_host"),
    ("trino", "SELECT system.main.url_decode('x')", "url_decode"),
    ("duckdb", "SELECT a.upper() FROM t", "upper"),
    ("duckdb", "SELECT 'SELECT 1'.json_serialize_plan()", "json_serialize_plan"),
    # every position a call can take
    ("trino", "SELECT CASE WHEN a THEN pg_sleep(1) ELSE 0 END FROM t", "pg_sleep"),
    ("trino", "SELECT transform(arr, x -> stats(x)) FROM t", "stats"),
    ("trino", "SELECT sum(a) OVER (PARTITION BY write_log('x') ORDER BY a) FROM t", "write_log"),
    ("trino", "SELECT count(*) FILTER (WHERE pg_sleep(1) IS NULL) FROM t", "pg_sleep"),
    ("trino", "SELECT a FROM t ORDER BY stats(a)", "stats"),
    ("trino", "SELECT a FROM t GROUP BY a, stats(a)", "stats"),
    ("trino", "SELECT a FROM t HAVING max(stats(a)) > ''", "stats"),
    ("trino", "SELECT a FROM t JOIN u ON t.a = stats(u.a)", "stats"),
    ("trino", "SELECT a FROM t WHERE a IN (SELECT stats(b) FROM u)", "stats"),
    ("trino", "WITH c AS (SELECT stats(a) AS s FROM t) SELECT * FROM c", "stats"),
    ("trino", "SELECT (SELECT stats(b) FROM u LIMIT 1) FROM t", "stats"),
    ("trino", "VALUES (pg_sleep(1))", "pg_sleep"),
    ("trino", "SELECT a FROM t UNION ALL SELECT stats(a) FROM t", "stats"),
    ("duckdb", "SELECT [stats(x) FOR x IN arr] FROM t", "stats"),
    ("duckdb", "SELECT {'a': stats(a)} FROM t", "stats"),
    ("duckdb", "SELECT a FROM t QUALIFY stats(a) IS NOT NULL", "stats"),
    ("duckdb", "SELECT list_transform(arr, x -> getvariable('v')) FROM t", "getvariable"),
    ("duckdb", "SELECT COLUMNS('.*') FROM t", "columns"),
    ("duckdb", "SELECT * EXCLUDE (a) REPLACE (stats(b) AS b) FROM t", "stats"),
    # table positions, even for names allowed as scalars
    ("duckdb", "SELECT * FROM query_table('lg_crm.main.customers')", "query_table"),
    ("duckdb", "SELECT * FROM read_parquet('x.parquet')", "read_parquet"),
    ("duckdb", "SELECT * FROM range(3)", "range"),
    ("trino", "SELECT * FROM repeat(1, 3)", "repeat"),
    ("trino", "SELECT * FROM t JOIN json_each('[1]') ON true", "json_each"),
    ("trino", "SELECT * FROM TABLE(sequence(1, 3))", "table"),
]


@pytest.mark.parametrize(("dialect", "sql", "name"), REFUSED)
def test_everything_else_is_refused_and_named(dialect: str, sql: str, name: str) -> None:
    message = refusal(sql, dialect)
    assert f"function {name}()" in message or f"function {name.upper()}()" in message, message


def test_an_anonymous_function_needs_a_plain_name() -> None:
    call = exp.Anonymous(this=exp.Literal.string("upper"), expressions=[exp.Literal.string("x")])
    assert not is_allowed(call)
    assert is_allowed(exp.Anonymous(this=exp.to_identifier("upper", quoted=True), expressions=[]))


def test_subclasses_of_allowed_classes_are_not_allowed_by_inheritance() -> None:
    # exp.AnonymousAggFunc and friends are refused even if a parent class were listed
    for kind in (exp.AnonymousAggFunc, exp.CombinedAggFunc, exp.ParameterizedAgg, exp.Func, exp.AggFunc):
        assert kind not in ALLOWED_CLASSES


def test_names_are_lower_case_identifiers() -> None:
    assert all(name == name.lower() and name.replace("_", "").isalnum() for name in ALLOWED_NAMES)


def test_the_check_is_cheap() -> None:
    trees = [sqlglot.parse_one(path.read_text(), read="trino") for path in TPCH]
    started = time.perf_counter()
    for _ in range(20):
        for tree in trees:
            check_functions(tree)
    per_query = (time.perf_counter() - started) / (20 * len(trees))
    assert per_query < 0.002, f"{per_query * 1000:.3f} ms per TPC-H query"


def test_a_malformed_call_is_refused_with_a_name_not_a_crash() -> None:
    # sqlglot builds element_at(x) as a subscript missing its index; generating it raises TypeError
    call = exp.Bracket(this=exp.column("a"), expressions=[None], offset=1, safe=True)
    tree = exp.select(exp.func("json_serialize_plan", call))
    with pytest.raises(LakegateError, match=r"function json_serialize_plan\(\) is not allowed"):
        check_functions(tree)


@pytest.mark.parametrize("dialect", ["trino", "duckdb"])
def test_every_allowed_name_is_callable_whatever_class_sqlglot_makes_of_it(dialect: str) -> None:
    called = 0
    for name in sorted(ALLOWED_NAMES):
        for args in ("a", "a, b", "a, b, c"):
            try:
                tree = sqlglot.parse_one(f"SELECT {name}({args}) FROM t", read=dialect)
            except sqlglot.errors.ParseError:
                continue  # not with this many arguments
            check_functions(tree, dialect)
            called += 1
    assert called > len(ALLOWED_NAMES)


def test_a_refusal_names_the_function_not_the_syntax_it_becomes() -> None:
    assert "function version()" in refusal("SELECT version()")
    # Trino writes exp.String (BigQuery's STRING(x)) as CAST(x AS VARCHAR): name the function
    with pytest.raises(LakegateError, match=r"function string\(\) is not allowed"):
        check_functions(exp.select(exp.String(this=exp.column("a"))).from_("t"), "trino")
