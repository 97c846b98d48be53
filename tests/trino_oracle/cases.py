"""The conformance cases: Trino's documentation examples, generated expressions over every type
and their edge cases, the 22 TPC-H queries and the 99 TPC-DS queries (103 statements).

A case is one statement; the real Trino's answer is its expectation. Ids are stable (they key
the known-wrong file), so generated cases are named by what they compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TPCH_QUERIES = HERE.parent / "tpch"
TPCDS_QUERIES = HERE.parent / "tpcds"
# The benchmark texts name tables ${database}.${schema}.<table>; tpcds_data.py serves tpcds.tiny.
TPCDS_PREFIX = ("${database}.${schema}.", "tpcds.tiny.")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # doc:<page>, generated:<type>, tpch, tpcds
    sql: str
    tolerance: float = 0.0
    ordered: bool = True
    #: unordered cases: the output columns the ORDER BY sorts on, whose sequence must be Trino's
    #: (rows tied on them may come in any order)
    order_keys: tuple[int, ...] = ()


def doc_cases() -> list[Case]:
    raw: list[dict[str, Any]] = yaml.safe_load((DATA / "function_cases.yaml").read_text())
    return [
        Case(
            id=item["id"],
            source=f"doc:{item['doc']}",
            sql=item["sql"],
            tolerance=float(item.get("tolerance", 0.0)),
            ordered=bool(item.get("ordered", True)),
        )
        for item in raw
    ]


# Per type: literals including its edge cases (NULL, zero, extremes, empty).
TYPED_VALUES: dict[str, list[str]] = {
    "tinyint": ["TINYINT '0'", "TINYINT '-128'", "TINYINT '127'", "CAST(NULL AS tinyint)"],
    "smallint": ["SMALLINT '0'", "SMALLINT '-32768'", "SMALLINT '32767'"],
    "integer": ["0", "-2147483648", "2147483647", "CAST(NULL AS integer)"],
    "bigint": ["BIGINT '0'", "BIGINT '-9223372036854775808'", "BIGINT '9223372036854775807'"],
    "decimal(5,2)": ["DECIMAL '0.00'", "DECIMAL '-999.99'", "DECIMAL '123.45'"],
    "decimal(18,6)": ["DECIMAL '123456789012.345678'", "DECIMAL '-0.000001'"],
    "decimal(38,10)": ["DECIMAL '1234567890123456789012345678.0123456789'"],
    "double": ["0E0", "-1.5E0", "1.7976931348623157E308", "4.9E-324", "nan()", "infinity()", "-infinity()"],
    "real": ["REAL '1.5'", "REAL '-0.0'", "REAL '3.4028235E38'"],
    "varchar": ["''", "'abc'", "'ünïcødé ✓'", "CAST(NULL AS varchar)"],
    "char(3)": ["CAST('ab' AS char(3))"],
    "boolean": ["true", "false", "CAST(NULL AS boolean)"],
    "date": ["DATE '1970-01-01'", "DATE '2024-02-29'", "DATE '0001-01-01'", "DATE '9999-12-31'"],
    "time": ["TIME '00:00:00'", "TIME '23:59:59.999'"],
    "timestamp": ["TIMESTAMP '2024-02-29 12:34:56.789'", "TIMESTAMP '1970-01-01 00:00:00'"],
    "timestamp(6)": ["TIMESTAMP '2024-02-29 12:34:56.789123'"],
    "timestamp with time zone": [
        "TIMESTAMP '2024-02-29 12:34:56.789 UTC'",
        "TIMESTAMP '2024-02-29 12:34:56 Europe/Berlin'",
    ],
    "interval day to second": ["INTERVAL '2' DAY", "INTERVAL '-90' MINUTE"],
    "interval year to month": ["INTERVAL '14' MONTH"],
    "array(integer)": ["ARRAY[1, NULL, 3]", "CAST(ARRAY[] AS array(integer))"],
    "array(varchar)": ["ARRAY['a', 'b']"],
    "map(varchar, integer)": ["MAP(ARRAY['k'], ARRAY[1])", "CAST(MAP() AS map(varchar, integer))"],
    "row(x integer, y varchar)": ["CAST(ROW(1, 'a') AS ROW(x integer, y varchar))"],
    "json": ["JSON '{\"a\": [1, 2]}'", "JSON 'null'"],
    "varbinary": ["X'00ff10'", "X''"],
    "uuid": ["UUID '12151fd2-7586-11e9-8f9e-2a86e4085a59'"],
    "ipaddress": ["IPADDRESS '10.0.0.1'", "IPADDRESS '2001:db8::1'"],
}

NUMERIC = ["tinyint", "smallint", "integer", "bigint", "decimal(5,2)", "decimal(18,6)", "double", "real"]
# Operand pairs per numeric type: ordinary, zero divisor, overflow.
NUMERIC_PAIRS: dict[str, list[tuple[str, str]]] = {
    "tinyint": [
        ("TINYINT '7'", "TINYINT '2'"),
        ("TINYINT '7'", "TINYINT '0'"),
        ("TINYINT '100'", "TINYINT '100'"),
    ],
    "smallint": [("SMALLINT '-7'", "SMALLINT '2'"), ("SMALLINT '30000'", "SMALLINT '30000'")],
    "integer": [("7", "2"), ("-7", "2"), ("7", "0"), ("2147483647", "1")],
    "bigint": [("BIGINT '7'", "BIGINT '-2'"), ("BIGINT '9223372036854775807'", "BIGINT '1'")],
    "decimal(5,2)": [
        ("DECIMAL '7.50'", "DECIMAL '2.00'"),
        ("DECIMAL '1.00'", "DECIMAL '3.00'"),
        ("DECIMAL '1.00'", "DECIMAL '0.00'"),
    ],
    "decimal(18,6)": [("DECIMAL '123456.123456'", "DECIMAL '7.000001'")],
    "double": [("7E0", "2E0"), ("1E0", "0E0"), ("-1E0", "0E0"), ("1.7976931348623157E308", "10E0")],
    "real": [("REAL '7'", "REAL '2'")],
}


# Arrays, maps and rows over NULL, empty and nested values: (id suffix, statement, ordered).
STRUCTURAL: list[tuple[str, str, bool]] = [
    ("array_of_nulls", "SELECT ARRAY[NULL], ARRAY[ARRAY[1], NULL], ARRAY[ARRAY[]], ARRAY[NULL, NULL]", True),
    (
        "nested_values",
        "SELECT ARRAY[ROW(1, 'a'), NULL], ROW(ROW(1, 2), ARRAY[3]), MAP(ARRAY['a'], ARRAY[ARRAY[1, NULL]])",
        True,
    ),
    (
        "array_equality_nulls",
        "SELECT ARRAY[1, 2] = ARRAY[1, NULL], ARRAY[1] = ARRAY[1, 2], ARRAY[2, NULL] = ARRAY[1, NULL], "
        "ARRAY[1, NULL] <> ARRAY[1, NULL], ARRAY[] = ARRAY[], CAST(NULL AS array(integer)) = ARRAY[1]",
        True,
    ),
    (
        "row_equality_nulls",
        "SELECT ROW(1, NULL) = ROW(1, NULL), ROW(1, 2) = ROW(2, NULL), ROW(1, 'a') <> ROW(1, 'b')",
        True,
    ),
    (
        "array_distinct_nulls",
        "SELECT array_distinct(ARRAY[NULL, 2, NULL, 1, 2]), array_distinct(ARRAY['b', 'a', 'b'])",
        True,
    ),
    ("empty", "SELECT array_distinct(ARRAY[]), reverse(ARRAY[]), cardinality(map_entries(MAP()))", True),
    (
        "repeat_edges",
        "SELECT repeat(1, 0), repeat(NULL, 2), repeat(ARRAY[1], 2), repeat('a', CAST(NULL AS bigint))",
        True,
    ),
    ("repeat_negative", "SELECT repeat('a', -1)", True),
    (
        "concat_nulls",
        "SELECT 0 || ARRAY[1, 2], concat(ARRAY['a'], ARRAY['b'], ARRAY['c']), "
        "ARRAY[1] || CAST(NULL AS integer), CAST(NULL AS array(integer)) || ARRAY[1]",
        True,
    ),
    (
        "sequence_dates",
        "SELECT sequence(DATE '2024-01-03', DATE '2024-01-01', INTERVAL '-1' DAY), "
        "sequence(DATE '2024-01-01', DATE '2024-01-02'), sequence(DATE '2024-01-01', DATE '2024-03-01', INTERVAL '1' MONTH)",
        True,
    ),
    ("sequence_dates_default_descending", "SELECT sequence(DATE '2024-01-03', DATE '2024-01-01')", True),
    (
        "sequence_dates_wrong_direction",
        "SELECT sequence(DATE '2024-01-01', DATE '2024-01-03', INTERVAL '-1' DAY)",
        True,
    ),
    (
        "sequence_dates_month_end",
        "SELECT sequence(DATE '2024-01-31', DATE '2024-05-31', INTERVAL '1' MONTH)",
        True,
    ),
    (
        "repeat_null_count_column",
        "SELECT repeat('a', n) FROM (VALUES CAST(NULL AS bigint), 2) AS t(n)",
        False,
    ),
    ("unnest_nulls", "SELECT x FROM UNNEST(ARRAY[1, NULL]) AS t(x)", False),
    (
        "unnest_empty_map",
        "SELECT count(*) FROM UNNEST(CAST(MAP() AS map(varchar, integer))) AS t(k, v)",
        True,
    ),
    (
        "unnest_rows_ordinality",
        "SELECT a, b, n FROM UNNEST(ARRAY[ROW(1, 'x'), ROW(2, NULL)]) WITH ORDINALITY AS t(a, b, n)",
        False,
    ),
]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")


def generated_cases() -> list[Case]:
    cases: list[Case] = []
    for type_name, literals in TYPED_VALUES.items():
        slug = _slug(type_name)
        for i, literal in enumerate(literals):
            cases.append(Case(f"gen_{slug}_value{i}", f"generated:{type_name}", f"SELECT {literal}"))
        values = ", ".join(f"({literal})" for literal in literals)
        if not type_name.startswith("row"):  # VALUES spreads a row's fields over columns
            cases.append(
                Case(
                    f"gen_{slug}_column",
                    f"generated:{type_name}",
                    f"SELECT x, x IS NULL FROM (VALUES {values}) AS t(x)",
                    ordered=False,
                )
            )
        cases.append(
            Case(
                f"gen_{slug}_cast_varchar",
                f"generated:{type_name}",
                f"SELECT CAST({literals[0]} AS varchar)",
            )
        )
    for type_name, pairs in NUMERIC_PAIRS.items():
        slug = _slug(type_name)
        for i, (a, b) in enumerate(pairs):
            for op, name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div"), ("%", "mod")):
                cases.append(Case(f"gen_{slug}_{name}{i}", f"generated:{type_name}", f"SELECT {a} {op} {b}"))
        cases.append(
            Case(
                f"gen_{slug}_aggregates",
                f"generated:{type_name}",
                f"SELECT sum(x), avg(x), min(x), max(x), count(x) FROM (VALUES {', '.join(f'({a}), ({b})' for a, b in pairs)}) AS t(x)",
            )
        )
    cases += [
        Case(f"gen_structural_{name}", "generated:structural", sql, ordered=o) for name, sql, o in STRUCTURAL
    ]
    for left in NUMERIC:
        for right in NUMERIC:
            if left < right:
                a, b = TYPED_VALUES[left][0], TYPED_VALUES[right][-1]
                cases.append(
                    Case(
                        f"gen_mixed_{_slug(left)}_{_slug(right)}",
                        f"generated:{left}+{right}",
                        f"SELECT {a} + {b}",
                    )
                )
    return cases


def tpch_cases() -> list[Case]:
    return [
        Case(f"tpch_{path.stem}", "tpch", path.read_text().strip().rstrip(";"))
        for path in sorted(TPCH_QUERIES.glob("q*.sql"))
    ]


def order_keys(sql: str) -> tuple[int, ...]:
    """The output columns the outermost ORDER BY sorts on, by position; empty if some key is not
    an output column (then only the multiset of rows is compared)."""
    tree = sqlglot.parse_one(sql, read="trino")
    order = tree.args.get("order")
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.left
    if not isinstance(order, exp.Order) or not isinstance(select, exp.Select):
        return ()
    names = [p.alias_or_name.lower() for p in select.expressions]
    bodies = [(p.this if isinstance(p, exp.Alias) else p).sql("trino").lower() for p in select.expressions]
    keys = []
    for ordered in order.expressions:
        key = ordered.this
        text = key.sql("trino").lower()
        if isinstance(key, exp.Literal) and key.is_int:
            keys.append(int(key.name) - 1)
        elif isinstance(key, exp.Column) and not key.table and key.name.lower() in names:
            keys.append(names.index(key.name.lower()))
        elif text in bodies:
            keys.append(bodies.index(text))
        else:
            return ()
    return tuple(keys)


def tpcds_cases() -> list[Case]:
    """Compared as multisets (most ORDER BYs leave ties, which either side may order its own
    way) whose ORDER BY keys come in Trino's sequence."""
    cases = []
    for path in sorted(TPCDS_QUERIES.glob("q*.sql")):
        sql = path.read_text().strip().rstrip(";").replace(*TPCDS_PREFIX)
        cases.append(Case(f"tpcds_{path.stem}", "tpcds", sql, ordered=False, order_keys=order_keys(sql)))
    return cases


def all_cases() -> list[Case]:
    cases = doc_cases() + generated_cases() + tpch_cases() + tpcds_cases()
    ids = [case.id for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate case ids: {sorted(duplicates)}")
    return cases
