"""Hypothesis strategies for well-typed Trino expressions, as SQL text (issue 8).

``expressions(type_name)`` draws an expression of that Trino type, at most ``MAX_DEPTH`` calls
deep: operators (``+ - * / %``, comparisons, unary minus, ``AND``/``OR``/``NOT``), ``CASE``,
``IF``, ``COALESCE``, ``NULLIF``, ``CAST`` between types and common scalar functions over
integers of each width, decimals, doubles, reals, varchars, booleans, dates, timestamps and
intervals. Leaves are literals with each type's edge values (zero, -1, the extremes of each
width, NULL typed by ``CAST``, the empty string, tiny and huge decimals, NaN and the
infinities) or a column of a small ``VALUES`` table (``COLUMNS``), so the same functions are
also compiled for rows, not only folded as constants.

The strategies know Trino's typing rules only as far as they need to stay well typed: an
expression drawn for ``tinyint`` is a ``tinyint`` in Trino (integers widen, never narrow without
a ``CAST``); a decimal is any ``decimal(p, s)`` (its precision and scale follow Trino's rules).
Runtime errors (overflow, division by zero, a bad cast) are welcome: Trino's error is then the
expected answer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from hypothesis import strategies as st

MAX_DEPTH = 3

INTEGERS = ("tinyint", "smallint", "integer", "bigint")
NUMERIC = (*INTEGERS, "decimal", "double", "real")
TYPES = (*NUMERIC, "varchar", "boolean", "date", "timestamp", "interval", "interval_ym")

#: the SQL type a typed NULL is cast to, per generated type
SQL_TYPE = {
    "decimal": "decimal(10,3)",
    "timestamp": "timestamp(3)",
    "interval": "interval day to second",
    "interval_ym": "interval year to month",
}

LITERALS: dict[str, list[str]] = {
    "tinyint": [
        "TINYINT '0'",
        "TINYINT '-1'",
        "TINYINT '1'",
        "TINYINT '7'",
        "TINYINT '127'",
        "TINYINT '-128'",
    ],
    "smallint": ["SMALLINT '0'", "SMALLINT '-1'", "SMALLINT '300'", "SMALLINT '32767'", "SMALLINT '-32768'"],
    "integer": ["0", "-1", "1", "7", "42", "2147483647", "INTEGER '-2147483648'"],
    "bigint": [
        "BIGINT '0'",
        "BIGINT '-1'",
        "BIGINT '3'",
        "BIGINT '10000000000'",
        "BIGINT '9223372036854775807'",
        "BIGINT '-9223372036854775808'",
    ],
    "decimal": [
        "DECIMAL '0.00'",
        "DECIMAL '-999.99'",
        "DECIMAL '123.45'",
        "DECIMAL '2.5'",
        "DECIMAL '-0.5'",
        "DECIMAL '0.000001'",
        "DECIMAL '12345678901234567.891'",
        "DECIMAL '99999999999999999999999999999999999999'",
        "DECIMAL '1234567890123456789012345678.0123456789'",
    ],
    "double": [
        "0E0",
        "-1E0",
        "2.5E0",
        "-0.5E0",
        "1E-300",
        "1.7976931348623157E308",
        "4.9E-324",
        "nan()",
        "infinity()",
        "-infinity()",
    ],
    "real": ["REAL '0'", "REAL '1.5'", "REAL '-2.5'", "REAL '-0.0'", "REAL '3.4028235E38'"],
    "varchar": ["''", "'abc'", "' a b '", "'Hello'", "'ünïcødé ✓'", "'12'", "'-7'", "'1.5'", "'x%_'"],
    "boolean": ["true", "false"],
    "date": [
        "DATE '1970-01-01'",
        "DATE '2024-02-29'",
        "DATE '1969-12-31'",
        "DATE '2023-01-31'",
        "DATE '0001-01-01'",
        "DATE '9999-12-31'",
    ],
    "timestamp": [
        "TIMESTAMP '2024-02-29 12:34:56.789'",
        "TIMESTAMP '1970-01-01 00:00:00.000'",
        "TIMESTAMP '1969-12-31 23:59:59.999'",
        "TIMESTAMP '2023-01-31 23:00:00.000'",
    ],
    "interval": ["INTERVAL '2' DAY", "INTERVAL '-90' MINUTE", "INTERVAL '1' SECOND", "INTERVAL '0' HOUR"],
    "interval_ym": ["INTERVAL '14' MONTH", "INTERVAL '-1' YEAR", "INTERVAL '0' MONTH"],
}

#: the columns of ``COLUMNS_TABLE``, one per type: rows with ordinary values, then an edge row
COLUMNS: dict[str, str] = {
    "tinyint": "c_tinyint",
    "integer": "c_integer",
    "bigint": "c_bigint",
    "decimal": "c_decimal",
    "double": "c_double",
    "varchar": "c_varchar",
    "date": "c_date",
    "timestamp": "c_timestamp",
}
COLUMNS_TABLE = (
    "(VALUES "
    "(TINYINT '5', 7, BIGINT '-3', DECIMAL '12.50', 2.5E0, 'Hello', DATE '2024-02-29', "
    "TIMESTAMP '2024-02-29 12:34:56.789'), "
    "(TINYINT '-128', 2147483647, BIGINT '9223372036854775807', DECIMAL '-0.01', -0E0, '', "
    "DATE '1970-01-01', TIMESTAMP '1969-12-31 23:59:59.999'), "
    "(CAST(NULL AS tinyint), CAST(NULL AS integer), CAST(NULL AS bigint), CAST(NULL AS decimal(4,2)), "
    "CAST(NULL AS double), CAST(NULL AS varchar), CAST(NULL AS date), CAST(NULL AS timestamp(3)))"
    ") AS t(" + ", ".join(COLUMNS.values()) + ")"
)

Draw = Callable[[str, int], st.SearchStrategy[str]]


def null_of(type_name: str) -> str:
    return f"CAST(NULL AS {SQL_TYPE.get(type_name, type_name)})"


def leaves(type_name: str, *, columns: bool) -> st.SearchStrategy[str]:
    choices = [*LITERALS[type_name], null_of(type_name)]
    if columns and type_name in COLUMNS:
        choices += [COLUMNS[type_name]] * 3
    return st.sampled_from(choices)


def _narrower_or_same(type_name: str) -> list[str]:
    """The integer types whose values widen to ``type_name`` (itself first)."""
    return [type_name, *INTEGERS[: INTEGERS.index(type_name)]]


def _operands_for(type_name: str) -> list[str]:
    """Operand types whose arithmetic with a ``type_name`` operand stays a ``type_name``."""
    if type_name in INTEGERS:
        return _narrower_or_same(type_name)
    if type_name == "decimal":
        return ["decimal", "tinyint", "integer", "bigint"]
    if type_name == "double":
        return list(NUMERIC)
    return ["real", "tinyint", "integer"]  # real


@cache
def expressions(type_name: str, depth: int = MAX_DEPTH, *, columns: bool = False) -> st.SearchStrategy[str]:
    """An expression of Trino type ``type_name`` at most ``depth`` calls deep."""
    leaf = leaves(type_name, columns=columns)
    if depth <= 0:
        return leaf

    def sub(t: str, d: int = depth - 1) -> st.SearchStrategy[str]:
        return expressions(t, d, columns=columns)

    builders = [leaf, leaf, _generic(type_name, sub), _specific(type_name, sub)]
    return st.one_of(*builders)


def _generic(type_name: str, sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    """CASE, IF, COALESCE, NULLIF and CAST: for every type."""
    same = sub(type_name)
    cond = sub("boolean")
    parts: list[st.SearchStrategy[str]] = [
        st.builds(lambda c, a, b: f"IF({c}, {a}, {b})", cond, same, same),
        st.builds(lambda c, a, b: f"CASE WHEN {c} THEN {a} ELSE {b} END", cond, same, same),
        st.builds(lambda c, a: f"CASE WHEN {c} THEN {a} END", cond, same),
        st.builds(lambda a, b: f"coalesce({a}, {b})", same, same),
    ]
    if type_name not in ("interval", "interval_ym", "boolean"):
        parts.append(st.builds(lambda a, b: f"nullif({a}, {b})", same, same))
    sources = _cast_sources(type_name)
    if sources:
        target = SQL_TYPE.get(type_name, type_name)
        if type_name == "decimal":
            target = None  # drawn below
        parts.append(
            st.tuples(
                st.sampled_from(sources).flatmap(sub), _decimal_types() if target is None else st.just(target)
            ).map(lambda pair: f"CAST({pair[0]} AS {pair[1]})")
        )
    return st.one_of(*parts)


def _decimal_types() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["decimal(3,0)", "decimal(5,2)", "decimal(10,3)", "decimal(18,6)", "decimal(38,10)", "decimal(38,0)"]
    )


def _cast_sources(type_name: str) -> list[str]:
    if type_name in NUMERIC:
        return [*NUMERIC, "varchar", "boolean"]
    if type_name == "varchar":
        return [*NUMERIC, "boolean", "date", "timestamp"]
    if type_name == "boolean":
        return [*INTEGERS, "double", "varchar"]
    if type_name == "date":
        return ["timestamp", "varchar"]
    if type_name == "timestamp":
        return ["date", "varchar"]
    return []


def _specific(type_name: str, sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    if type_name in NUMERIC:
        return _numeric(type_name, sub)
    return {
        "varchar": _varchar,
        "boolean": _boolean,
        "date": _date,
        "timestamp": _timestamp,
        "interval": _interval,
        "interval_ym": _interval_ym,
    }[type_name](sub)


def _numeric(type_name: str, sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    same = sub(type_name)
    operand = st.sampled_from(_operands_for(type_name)).flatmap(sub)
    small = st.sampled_from(["0", "1", "2", "-1", "-2", "3"])
    parts: list[st.SearchStrategy[str]] = [
        st.builds(
            lambda a, op, b, swap: f"({b} {op} {a})" if swap else f"({a} {op} {b})",
            same,
            st.sampled_from(["+", "-", "*", "/", "%"]),
            operand,
            st.booleans(),
        ),
        same.map(lambda a: f"(- {a})"),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["abs", "sign"]), same),
        st.builds(lambda a, b: f"mod({a}, {b})", same, same),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["greatest", "least"]), same, same),
    ]
    # round/floor/ceil/truncate change a decimal's precision and scale: still a decimal;
    # truncate of an integer is a decimal
    rounders = ["round", "floor", "ceil"] + ([] if type_name in INTEGERS else ["truncate"])
    parts += [
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(rounders), same),
        st.builds(lambda a, n: f"round({a}, {n})", same, small),
    ]
    if type_name == "double":
        parts += [
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["sqrt", "exp", "ln", "cbrt"]), same),
            st.builds(lambda a, b: f"power({a}, {b})", same, same),
        ]
    if type_name == "bigint":
        parts += [
            sub("varchar").map(lambda s: f"length({s})"),
            st.builds(lambda s, t: f"strpos({s}, {t})", sub("varchar"), sub("varchar")),
            st.builds(
                lambda f, d: f"{f}({d})",
                st.sampled_from(["year", "month", "day", "day_of_week", "day_of_year", "quarter", "week"]),
                sub("date"),
            ),
            st.builds(
                lambda f, d: f"extract({f} FROM {d})",
                st.sampled_from(["YEAR", "MONTH", "DAY", "QUARTER", "DOW", "DOY"]),
                sub("date"),
            ),
            st.builds(
                lambda f, d: f"{f}({d})",
                st.sampled_from(["hour", "minute", "second", "millisecond"]),
                sub("timestamp"),
            ),
            st.builds(
                lambda u, a, b: f"date_diff('{u}', {a}, {b})",
                st.sampled_from(["day", "week", "month", "quarter", "year"]),
                sub("date"),
                sub("date"),
            ),
            st.builds(
                lambda u, a, b: f"date_diff('{u}', {a}, {b})",
                st.sampled_from(["millisecond", "second", "minute", "hour", "day", "month", "year"]),
                sub("timestamp"),
                sub("timestamp"),
            ),
        ]
    return st.one_of(*parts)


def _varchar(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    s = sub("varchar")
    n = st.sampled_from(INTEGERS).flatmap(sub)
    return st.one_of(
        st.builds(
            lambda f, a: f"{f}({a})",
            st.sampled_from(["upper", "lower", "trim", "ltrim", "rtrim", "reverse"]),
            s,
        ),
        st.builds(lambda a, b: f"({a} || {b})", s, s),
        st.builds(lambda a, b, c: f"concat({a}, {b}, {c})", s, s, s),
        st.builds(lambda a, i: f"substr({a}, {i})", s, n),
        st.builds(lambda a, i, k: f"substr({a}, {i}, {k})", s, n, n),
        st.builds(lambda a, b, c: f"replace({a}, {b}, {c})", s, s, s),
        st.builds(lambda a, b: f"replace({a}, {b})", s, s),
        st.builds(
            lambda f, a, k, p: f"{f}({a}, {k}, {p})",
            st.sampled_from(["lpad", "rpad"]),
            s,
            st.sampled_from(["0", "1", "3", "BIGINT '10'"]),
            s,
        ),
        st.builds(lambda a, b: f"greatest({a}, {b})", s, s),
        st.builds(
            lambda a: f"CAST({a} AS varchar)",
            st.sampled_from(["integer", "double", "decimal", "date"]).flatmap(sub),
        ),
        st.builds(
            lambda a, b: f"format_datetime({a}, '{b}')",
            sub("timestamp"),
            st.sampled_from(["yyyy-MM-dd", "HH:mm:ss.SSS", "EEE MMM"]),
        ),
    )


def _boolean(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    b = sub("boolean")
    comparable = st.sampled_from([t for t in TYPES if t != "boolean"])
    compare = comparable.flatmap(
        lambda t: st.builds(
            lambda a, op, c: f"({a} {op} {c})",
            sub(t),
            st.sampled_from(["=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM"]),
            sub(t),
        )
    )
    between = st.sampled_from(NUMERIC).flatmap(
        lambda t: st.builds(lambda a, lo, hi: f"({a} BETWEEN {lo} AND {hi})", sub(t), sub(t), sub(t))
    )
    return st.one_of(
        compare,
        compare,
        between,
        st.builds(lambda a, op, c: f"({a} {op} {c})", b, st.sampled_from(["AND", "OR"]), b),
        b.map(lambda a: f"(NOT {a})"),
        st.sampled_from(TYPES).flatmap(sub).map(lambda a: f"({a} IS NULL)"),
        st.builds(lambda a, c: f"starts_with({a}, {c})", sub("varchar"), sub("varchar")),
        st.builds(lambda a, c: f"({a} LIKE {c})", sub("varchar"), sub("varchar")),
        sub("double").map(lambda a: f"is_nan({a})"),
        sub("double").map(lambda a: f"is_finite({a})"),
    )


UNITS_DATE = ["day", "week", "month", "quarter", "year"]
UNITS_TIME = ["millisecond", "second", "minute", "hour", *UNITS_DATE]


def _date(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    d = sub("date")
    n = st.sampled_from(["integer", "bigint", "tinyint"]).flatmap(sub)
    return st.one_of(
        st.builds(lambda u, k, a: f"date_add('{u}', {k}, {a})", st.sampled_from(UNITS_DATE), n, d),
        st.builds(lambda u, a: f"date_trunc('{u}', {a})", st.sampled_from(UNITS_DATE), d),
        st.builds(lambda a, op, i: f"({a} {op} {i})", d, st.sampled_from(["+", "-"]), sub("interval_ym")),
        st.builds(lambda a, i: f"({a} + {i})", d, st.sampled_from(["INTERVAL '3' DAY", "INTERVAL '-1' DAY"])),
        st.builds(lambda a: f"last_day_of_month({a})", d),
        st.builds(lambda a, b: f"greatest({a}, {b})", d, d),
    )


def _timestamp(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    ts = sub("timestamp")
    n = st.sampled_from(["integer", "bigint"]).flatmap(sub)
    return st.one_of(
        st.builds(lambda u, k, a: f"date_add('{u}', {k}, {a})", st.sampled_from(UNITS_TIME), n, ts),
        st.builds(lambda u, a: f"date_trunc('{u}', {a})", st.sampled_from(UNITS_TIME), ts),
        st.builds(lambda a, op, i: f"({a} {op} {i})", ts, st.sampled_from(["+", "-"]), sub("interval")),
        st.builds(lambda a, op, i: f"({a} {op} {i})", ts, st.sampled_from(["+", "-"]), sub("interval_ym")),
        st.builds(lambda a, b: f"least({a}, {b})", ts, ts),
    )


def _interval(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    i = sub("interval")
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", i, st.sampled_from(["+", "-"]), i),
        i.map(lambda a: f"(- {a})"),
        st.builds(lambda a, k: f"({a} * {k})", i, st.sampled_from(["integer", "bigint"]).flatmap(sub)),
        st.builds(lambda a, b: f"({a} - {b})", sub("timestamp"), sub("timestamp")),
    )


def _interval_ym(sub: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    i = sub("interval_ym")
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", i, st.sampled_from(["+", "-"]), i),
        i.map(lambda a: f"(- {a})"),
        st.builds(lambda a, k: f"({a} * {k})", i, st.sampled_from(["integer", "tinyint"]).flatmap(sub)),
    )


def any_expression(depth: int = MAX_DEPTH, *, columns: bool = False) -> st.SearchStrategy[str]:
    """An expression of any generated type."""
    return st.sampled_from(TYPES).flatmap(lambda t: expressions(t, depth, columns=columns))


def statements(per_statement: int, depth: int = MAX_DEPTH) -> st.SearchStrategy[tuple[bool, list[str]]]:
    """``per_statement`` expressions for one SELECT, and whether it reads ``COLUMNS_TABLE``."""
    return st.booleans().flatmap(
        lambda columns: st.tuples(
            st.just(columns),
            st.lists(any_expression(depth, columns=columns), min_size=per_statement, max_size=per_statement),
        )
    )


def select(expressions_: list[str], columns: bool) -> str:
    body = ", ".join(expressions_)
    return f"SELECT {body} FROM {COLUMNS_TABLE}" if columns else f"SELECT {body}"
