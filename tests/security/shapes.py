"""Hypothesis strategies for adversarial query shapes over the demo CRM, with what each one reads.

Every generated :class:`Attack` carries its SQL and the facts an oracle needs to judge the
answer without trusting the planner: the logical tables and columns the query really reads
(through alias lists, star patterns, positional references and CTE shadowing, worked out here
from the shape, not from the SQL text), the objects outside the catalogs it names (engine tables,
quoted file paths, table functions, a recursive CTE naming itself in its first branch), and
where each output column's values come from.

The shapes (issue 7, findings 1 to 3): nested CTEs, recursive or not, whose names shadow real
tables, engine objects (``duckdb_tables``...) or quoted file paths, relative and absolute; alias
column lists, full and partial, including ones that swap real column names; set operations;
lateral joins and correlated subqueries; ``*``, ``t.*``, ``* EXCLUDE``, ``* LIKE``, ``* SIMILAR
TO``, ``COLUMNS(...)``, DuckDB's ``#n``; ORDER BY alias shadowing probes; engine functions and
table functions. The CRM is attacked in both storage formats: ``crm`` (SQLite) and ``crm_lake``
(Parquet), in the ``trino`` and ``duckdb`` dialects.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from tests.security.attack_model import (
    ALIASES,
    CATALOGS,
    CONFIG_FILES,
    DATA_FILES,
    DEMO_FILES,
    ENGINE_OBJECTS,
    TABLES,
    USERS,
    Attack,
    Col,
    Env,
    Facts,
    Query,
    Rel,
    quote,
)
from tests.security.projections import Projection, projection


@st.composite
def logical_table(draw: st.DrawFn, ddb: bool, session: bool, column_list: bool = False) -> Rel:
    """A CRM table (either storage), maybe aliased, maybe with a full or partial alias column list."""
    table = draw(st.sampled_from(tuple(TABLES)))
    catalog = draw(st.sampled_from(CATALOGS))
    real = TABLES[table]
    ref = table if session and draw(st.booleans()) else f"{catalog}.main.{table}"
    alias = draw(st.sampled_from(("t", "x") if column_list else (None, "t", "x", table)))
    names = list(real)
    listed = ""
    if alias is not None and (column_list or draw(st.integers(0, 2)) > 0):
        count = draw(st.integers(1, len(real)))
        pool = st.sampled_from(ALIASES + tuple(c for t in TABLES.values() for c in t))
        chosen = draw(st.lists(pool, min_size=count, max_size=count, unique=True))
        if set(chosen) & set(real[count:]):  # a partial list would clash: write it in full
            chosen += [f"r{i}" for i in range(count, len(real))]
        names = chosen + list(real[len(chosen) :])
        listed = "(" + ", ".join(chosen) + ")"
    cols = tuple(Col(n, f"{table}.{r}") for n, r in zip(names, real, strict=True))
    sql = ref + (f" AS {alias}{listed}" if alias else "")
    return Rel(sql, cols, Facts(tables=frozenset({table})), table)


@st.composite
def outside_object(draw: st.DrawFn, env: Env) -> Rel:
    """An engine object or a file, named directly: it must never be read."""
    if draw(st.booleans()):
        name = draw(st.sampled_from(ENGINE_OBJECTS))
        return Rel(name, None, Facts(outside=frozenset({name})))
    path = draw(st.sampled_from(env.paths()))
    return Rel(quote(path), None, Facts(outside=frozenset({path})))


def table_function(env: Env) -> st.SearchStrategy[Rel]:
    absolute = [str(env.demo_dir / f) for f in DEMO_FILES]
    calls = [f"read_parquet('{p}')" for p in absolute if p.endswith(".parquet")]
    calls += [
        f"read_json('{env.demo_dir / 'policies.json'}')",
        f"read_json_auto('{env.demo_dir / 'policies.json'}')",
    ]
    calls += [f"read_csv('{env.demo_dir / 'users.yaml'}')", f"read_text('{env.demo_dir / 'lakegate.yaml'}')"]
    calls += [f"sqlite_scan('{env.demo_dir / 'crm/crm.sqlite'}', 'customers')", "duckdb_tables()"]
    calls += ["query('SELECT * FROM lg_crm.main.customers')", "query_table('lg_crm_lake.main.customers')"]
    calls += ["glob('*')", "duckdb_settings()", "pragma_table_info('lg_crm.main.customers')"]
    return st.sampled_from(calls).map(lambda c: Rel(c, None, Facts(outside=frozenset({c}))))


def values_rel() -> st.SearchStrategy[Rel]:
    return st.just(
        Rel(
            "(VALUES (1, 'x', 'EMEA')) AS v(customer_id, national_id, region)",
            (Col("customer_id", None), Col("national_id", None), Col("region", None)),
            Facts(),
        )
    )


# -- whole queries --------------------------------------------------------------------------------


@st.composite
def select_from(draw: st.DrawFn, rel: Rel, ddb: bool) -> Query:
    alias = rel.sql.split(" AS ")[-1].split("(")[0] if " AS " in rel.sql else None
    proj = draw(projection(rel, alias, ddb))
    sql = f"SELECT {proj.sql} FROM {rel.sql}"
    if not proj.aggregate and draw(st.booleans()):
        sql += f" ORDER BY 1 LIMIT {draw(st.sampled_from((1, 5, 1000)))}"
    cols = None
    if proj.outputs is not None:
        names = _output_names(proj, rel)
        cols = tuple(Col(n, o) for n, o in zip(names, proj.outputs, strict=True))
    facts = rel.facts | Facts(reads=proj.reads)
    return Query(sql, cols, facts)


def _output_names(proj: Projection, rel: Rel) -> list[str]:
    if proj.aggregate or rel.cols is None:
        return [f"col{i}" for i in range(len(proj.outputs or ()))]
    by_origin = {c.origin: c.name for c in rel.cols}
    return [by_origin.get(o, f"col{i}") if o else f"col{i}" for i, o in enumerate(proj.outputs or ())]


def _renamed(q: Query) -> tuple[str, tuple[Col, ...] | None]:
    """Wrap a query so its output names are known: ``SELECT * FROM (q) AS s(n0, n1, ...)``."""
    if q.cols is None:
        return q.sql, None
    names = [f"n{i}" for i in range(len(q.cols))]
    return f"SELECT * FROM ({q.sql}) AS s({', '.join(names)})", tuple(
        Col(n, c.origin) for n, c in zip(names, q.cols, strict=True)
    )


@st.composite
def base_query(draw: st.DrawFn, env: Env, ddb: bool, session: bool) -> Query:
    source = draw(
        st.one_of(
            logical_table(ddb, session),
            logical_table(ddb, session),
            logical_table(ddb, session),
            outside_object(env),
            table_function(env) if ddb else outside_object(env),
            values_rel(),
        )
    )
    return draw(select_from(source, ddb))


_SHADOWED = (*ENGINE_OBJECTS[:5], *DEMO_FILES)
SHADOW_NAMES = ("s", *TABLES, *(quote(n) if "." in n or "/" in n else n for n in _SHADOWED))


@st.composite
def with_cte(draw: st.DrawFn, inner: Query, ddb: bool) -> Query:
    """``WITH name AS (inner) SELECT ... FROM name``: the name may shadow a table, an engine object or a file."""
    name = draw(st.sampled_from(SHADOW_NAMES))
    body, cols = _renamed(inner)
    if name in TABLES and re.search(rf"\b(FROM|JOIN)\s+{name}\b", body):
        name = "s"  # the body reads the real table by its bare name: keep the two apart
    recursive = draw(st.booleans())
    if recursive and cols is not None:
        # a legitimate recursion: the CTE names itself only in its recursive branch
        body = f"{body} UNION ALL SELECT * FROM {name} WHERE false"
    head = "WITH RECURSIVE" if recursive else "WITH"
    rel = Rel(f"{name} AS w", cols, inner.facts)
    outer = draw(select_from(rel, ddb))
    return Query(f"{head} {name} AS ({body}) {outer.sql}", outer.cols, outer.facts)


@st.composite
def self_named_recursion(draw: st.DrawFn, env: Env, target: str = "any") -> Query:
    """Finding 1: a CTE naming itself in its first branch (or in its only one) reads the object outside.

    Forms: the plain first branch, the name inside a subquery of the first branch, the CTE second
    in its WITH list, and no recursive branch at all (with or without RECURSIVE). ``target``
    picks what the name is: an engine table, a configuration file, a data file, or any of them.
    """
    engine = st.sampled_from(ENGINE_OBJECTS[:5])
    config = st.sampled_from(env.paths(CONFIG_FILES)).map(quote)
    data = st.sampled_from(env.paths(DATA_FILES)).map(quote)
    choices = {"engine": engine, "config": config, "data": data, "any": st.one_of(engine, config, data)}
    name = draw(choices[target])
    first = draw(
        st.sampled_from(
            (
                f"SELECT * FROM {name}",
                f"SELECT count(*) AS n FROM {name}",
                f"SELECT * FROM (SELECT * FROM {name}) AS inner_q",
            )
        )
    )
    form = draw(st.sampled_from(("recursive", "recursive", "second", "no_branch", "plain")))
    body = first if form in ("no_branch", "plain") else f"{first} UNION ALL SELECT * FROM {name} WHERE false"
    head = "WITH" if form == "plain" else "WITH RECURSIVE"
    ctes = f"{name} AS ({body})"
    if form == "second":
        ctes = f"other AS (SELECT 1 AS one), {ctes}"
    proj = "count(*)" if draw(st.booleans()) else "*"
    sql = f"{head} {ctes} SELECT {proj} FROM {name}"
    if proj == "*":
        sql += draw(st.sampled_from(("", " ORDER BY 1", " LIMIT 3", " ORDER BY 1 LIMIT 1")))
    return Query(sql, None, Facts(outside=frozenset({name.strip('"')})))


@st.composite
def set_operation(draw: st.DrawFn, env: Env, ddb: bool, session: bool) -> Query:
    left = draw(base_query(env, ddb, session))
    right = draw(base_query(env, ddb, session))
    op = draw(st.sampled_from(("UNION ALL", "UNION", "INTERSECT", "EXCEPT")))
    left_sql, left_cols = _renamed(left)
    right_sql, _ = _renamed(right)
    cols = left_cols
    if op.startswith("UNION"):
        cols = None
        if left_cols is not None and right.cols is not None and len(left_cols) == len(right.cols):
            cols = tuple(
                Col(c.name, c.origin if c.origin == d.origin else None)
                for c, d in zip(left_cols, right.cols, strict=True)
            )
    return Query(f"({left_sql}) {op} ({right_sql})", cols, left.facts | right.facts)


@st.composite
def lateral_or_correlated(draw: st.DrawFn, ddb: bool, session: bool) -> Query:
    rel = draw(logical_table(ddb, session).filter(lambda r: " AS " in r.sql))
    alias = rel.sql.split(" AS ")[-1].split("(")[0]
    assert rel.cols is not None
    col = draw(st.sampled_from(rel.cols))
    other = draw(logical_table(ddb, session))
    kind = draw(st.sampled_from(("lateral", "scalar", "exists", "in", "join")))
    reads = frozenset({col.origin}) if col.origin else frozenset()
    facts = rel.facts | Facts(reads=reads)
    if kind == "lateral":
        sql = f"SELECT l.v FROM {rel.sql} CROSS JOIN LATERAL (SELECT {alias}.{col.name} AS v) AS l"
        return Query(sql, (Col("v", col.origin),), facts)
    if kind == "scalar":
        sql = f"SELECT (SELECT {alias}.{col.name}) AS v FROM {rel.sql}"
        return Query(sql, (Col("v", col.origin),), facts)
    assert other.cols is not None
    ocol = draw(st.sampled_from(other.cols))
    oalias = "o" if " AS " not in other.sql else other.sql.split(" AS ")[-1].split("(")[0]
    osql = other.sql if " AS " in other.sql else f"{other.sql} AS o"
    if oalias == alias:
        return Query(f"SELECT count(*) FROM {rel.sql}", (Col("n", None),), rel.facts)
    facts = facts | other.facts | Facts(reads=frozenset({ocol.origin}) if ocol.origin else frozenset())
    if kind == "join":
        sql = f"SELECT {alias}.{col.name} AS v, {oalias}.{ocol.name} AS w FROM {rel.sql} CROSS JOIN {osql} LIMIT 50"
        return Query(sql, (Col("v", col.origin), Col("w", ocol.origin)), facts)
    if kind == "exists":
        sql = (
            f"SELECT count(*) AS n FROM {rel.sql} WHERE EXISTS "
            f"(SELECT 1 FROM {osql} WHERE {oalias}.{ocol.name} = {alias}.{col.name})"
        )
    else:
        sql = f"SELECT count(*) AS n FROM {rel.sql} WHERE {alias}.{col.name} IN (SELECT {oalias}.{ocol.name} FROM {osql})"
    return Query(sql, (Col("n", None),), facts)


@st.composite
def engine_function(draw: st.DrawFn, env: Env) -> Query:
    """Engine functions over hidden objects: plans, statistics, logs, settings."""
    target = draw(
        st.sampled_from(("lg_crm.main.contracts", "lg_crm_lake.main.customers", "crm.main.customers"))
    )
    call = draw(
        st.sampled_from(
            (
                f"json_serialize_plan('SELECT * FROM {target}')",
                f"json_serialize_plan('SELECT national_id FROM {target} WHERE national_id > ''5''', optimize := true)",
                f"json_serialize_sql('SELECT * FROM {target}')",
                "write_log('x')",
                "pg_sleep(0)",
                "current_setting('allowed_directories')",
                "getenv('HOME')",
                f"read_text('{env.demo_dir / 'policies.json'}')",
                "version()",
            )
        )
    )
    internal = not call.startswith(("version", "pg_sleep", "json_serialize_sql"))
    return Query(
        f"SELECT {call} AS v",
        (Col("v", None),),
        Facts(outside=frozenset({call}) if internal else frozenset()),
    )


@st.composite
def nested(draw: st.DrawFn, env: Env, ddb: bool, session: bool, depth: int) -> Query:
    if depth <= 0:
        return draw(base_query(env, ddb, session))
    kind = draw(st.sampled_from(("base", "cte", "subquery", "setop", "lateral", "recursion", "function")))
    if kind == "base":
        return draw(base_query(env, ddb, session))
    if kind == "setop":
        return draw(set_operation(env, ddb, session))
    if kind == "lateral":
        return draw(lateral_or_correlated(ddb, session))
    if kind == "recursion":
        return draw(self_named_recursion(env))
    if kind == "function":
        return draw(engine_function(env))
    inner = draw(nested(env, ddb, session, depth - 1))
    if kind == "cte":
        return draw(with_cte(inner, ddb))
    body, cols = _renamed(inner)
    rel = Rel(f"({body}) AS q", cols, inner.facts)
    return draw(select_from(rel, ddb))


def duckdb_syntax(sql: str) -> bool:
    """Does the SQL use syntax of DuckDB's alone (star patterns, ``#n``, named arguments...)?"""
    return bool(re.search(r"EXCLUDE \(|\* LIKE|SIMILAR TO|COLUMNS\(|#\d|stats\(|:=", sql))


@st.composite
def attacks(draw: st.DrawFn, env: Env) -> Attack:
    """One adversarial query, as one demo user, with the facts to judge its answer."""
    user = draw(st.sampled_from(USERS))
    ddb = draw(st.booleans())
    session = draw(st.booleans())
    catalog = draw(st.sampled_from(CATALOGS)) if session else None
    query = draw(nested(env, ddb, session, draw(st.integers(0, 3))))
    duckdb_only = duckdb_syntax(query.sql)
    dialect = "duckdb" if ddb else "trino"
    return Attack(
        family="generated",
        user=user,
        sql=query.sql,
        dialect=dialect,
        facts=query.facts,
        outputs=tuple(c.origin for c in query.cols) if query.cols is not None else None,
        catalog=catalog,
        schema="main" if session else None,
        duckdb_only=duckdb_only,
    )


@st.composite
def order_by_probes(draw: st.DrawFn, a: int, b: int, nid_a: str) -> Attack:
    """ORDER BY (or WHERE) on a name that is both an output alias and a hidden column.

    Customers ``a`` and ``b`` are both EMEA; the probe asks for ``a`` first when ``a``'s real
    national id matches. The only correct answers hide that: ``b`` (the alias, a mask or NULL
    was used), or a refusal.
    """
    user = draw(st.sampled_from(("sam", "ada")))
    catalog = draw(st.sampled_from(CATALOGS))
    table = f"{catalog}.main.customers"
    shadow = draw(
        st.sampled_from(("'x' AS national_id", "region AS national_id", "full_name AS national_id"))
    )
    via = draw(st.sampled_from(("plain", "alias_list", "cte")))
    source = table
    column = "national_id"
    if via == "alias_list":
        source = f"{table} AS t(customer_id, full_name, email, phone, hidden_id)"
        column = "hidden_id"
    elif via == "cte":
        source = f"(SELECT customer_id, national_id AS hidden_id FROM {table}) AS t"
        column = "hidden_id"
    where = f"customer_id IN ({a}, {b})"
    test = draw(
        st.sampled_from(
            (
                f"CASE WHEN {column} = '{nid_a}' THEN 0 ELSE 1 END",
                f"CASE WHEN lower({column}) = lower('{nid_a}') THEN 0 ELSE 1 END",
                f"CASE WHEN {column} LIKE '{nid_a[:6]}%' THEN 0 ELSE 1 END",
            )
        )
    )
    place = draw(st.sampled_from(("order", "where")))
    if place == "order":
        sql = (
            f"SELECT customer_id, {shadow} FROM {source} WHERE {where} "
            f"ORDER BY {test}, customer_id DESC LIMIT 1"
        )
        expect: tuple[tuple[object, ...], ...] = ((b,),)
    else:
        sql = f"SELECT customer_id FROM {source} WHERE {where} AND {test} = 0"
        expect = ()
    dialect = draw(st.sampled_from(("trino", "duckdb")))
    reads = frozenset({"customers.national_id"}) if "hidden_id" in column else frozenset()
    return Attack(
        family="order_by_probe",
        user=user,
        sql=sql,
        dialect=dialect,
        facts=Facts(tables=frozenset({"customers"}), reads=reads),
        outputs=None,
        expect_rows=expect,
    )


def as_attack(query: Query, user: str, dialect: str = "trino") -> Attack:
    return Attack(
        family="generated",
        user=user,
        sql=query.sql,
        dialect=dialect,
        facts=query.facts,
        outputs=tuple(c.origin for c in query.cols) if query.cols is not None else None,
        duckdb_only=duckdb_syntax(query.sql),
    )


@st.composite
def alias_attacks(draw: st.DrawFn) -> Attack:
    """Finding 3: alias column lists, star patterns, positional references, lateral and
    correlated references over CRM tables, as sam or ada."""
    ddb = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        query = draw(lateral_or_correlated(ddb, session=False))
    else:
        rel = draw(logical_table(ddb, session=False, column_list=draw(st.booleans())))
        query = draw(select_from(rel, ddb))
    return as_attack(query, draw(st.sampled_from(("sam", "ada"))), "duckdb" if ddb else "trino")


@st.composite
def recursion_attacks(draw: st.DrawFn, env: Env, target: str = "any") -> Attack:
    """Finding 1, as any user in either dialect."""
    query = draw(self_named_recursion(env, target))
    return as_attack(query, draw(st.sampled_from(USERS)), draw(st.sampled_from(("trino", "duckdb"))))


@st.composite
def function_attacks(draw: st.DrawFn, env: Env) -> Attack:
    """Finding 2, as any user (DuckDB's named arguments need its dialect)."""
    return as_attack(draw(engine_function(env)), draw(st.sampled_from(USERS)), "duckdb")
