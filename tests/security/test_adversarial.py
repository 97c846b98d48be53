"""Adversarial queries against the live demo: try hard to read what the policies forbid.

Every case is ``(user, sql, expected)``. ``denied`` cases must come back as an RFC 9457 problem
with one of the named 4xx codes (an ``ACCESS_DENIED`` must name the resource and the access
type); ``allowed`` cases must return an Arrow result that passes the generic oracles computed
from the CRM's SQLite ground truth, plus the case's own check:

- ada (analysts): no cell holds a real e-mail, phone, national id or full name (masks hold);
- sam (support, EMEA): no cell holds a national id, an unmasked e-mail, or the name or phone
  of a non-EMEA customer; counts equal the EMEA counts;
- eve: everything under crm, tpch and lake is denied; table-less queries hold no personal data;
- root sees real values (a positive control: the same oracle flags root's answers).

Error bodies go through the same oracle: an engine error must not echo forbidden values.

A case marked ``xfail(strict=True, reason="LEAK: ...")`` is a leak found by this corpus; it is
kept exactly as it should behave. For those, refusing the query or answering it with the
forbidden value hidden are both correct (``clean_ok``), so any fix turns the case green.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest

from gateway.demo.crm import Customer  # the demo's own record of a customer row
from tests.server import LiveServer

ARROW = "application/vnd.apache.arrow.stream"
PROBLEM = "application/problem+json"
USER_HEADER = "X-Lakegate-User"

# -- ground truth ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Secrets:
    """Values a user must never see: searched as substrings, or compared with whole values."""

    substrings: frozenset[str]
    whole: frozenset[str]


def mask_last_4(value: str) -> str:
    return "X" * max(len(value) - 4, 0) + value[-4:]


def mask_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest().upper()


def mask_redact(value: str) -> str:
    return re.sub("[0-9]", "0", re.sub("[a-z]", "x", re.sub("[A-Z]", "X", value)))


def mask_initial(value: str) -> str:
    return value[:1] + "."


class Truth:
    """The CRM as stored, read straight from its SQLite file, and what each user may see of it."""

    def __init__(self, crm_path: Path) -> None:
        self.crm_path = crm_path
        with contextlib.closing(sqlite3.connect(f"file:{crm_path}?mode=ro", uri=True)) as con:
            self.customers = tuple(
                Customer(*row)
                for row in con.execute(
                    "SELECT customer_id, full_name, email, phone, national_id, region, country, "
                    "created_at, segment FROM customers ORDER BY customer_id"
                )
            )
            self.tickets: tuple[tuple[int, int, str], ...] = tuple(
                con.execute("SELECT ticket_id, customer_id, region FROM support_tickets ORDER BY ticket_id")
            )
            self.contract_count: int = con.execute("SELECT count(*) FROM contracts").fetchone()[0]
        self.emea = tuple(c for c in self.customers if c.region == "EMEA")
        self.others = tuple(c for c in self.customers if c.region != "EMEA")
        self.emea_tickets = tuple(t for t in self.tickets if t[2] == "EMEA")
        emea_names = {c.full_name.lower() for c in self.emea}
        emea_phones = {c.phone.lower() for c in self.emea}
        hidden_names = {c.full_name.lower() for c in self.others} - emea_names
        self.a, self.b = self.emea[0], self.emea[1]
        self.outsider = next(c for c in self.others if c.full_name.lower() in hidden_names)
        everything = (
            {c.email.lower() for c in self.customers}
            | {c.phone.lower() for c in self.customers}
            | {c.national_id.lower() for c in self.customers}
        )
        all_names = {c.full_name.lower() for c in self.customers}
        self.secrets = {
            "ada": Secrets(
                frozenset(everything | {n for n in all_names if len(n) >= 8}), frozenset(all_names)
            ),
            "sam": Secrets(
                frozenset(
                    {c.email.lower() for c in self.customers}
                    | {c.national_id.lower() for c in self.customers}
                    | ({c.phone.lower() for c in self.others} - emea_phones)
                    | {n for n in hidden_names if len(n) >= 8 and not any(n in e for e in emea_names)}
                ),
                frozenset(hidden_names),
            ),
            "root": Secrets(frozenset(), frozenset()),
        }
        self.secrets["eve"] = self.secrets["ada"]
        self.params = {
            "A": str(self.a.customer_id),
            "B": str(self.b.customer_id),
            "NID_A": self.a.national_id,
            "NID_A_PREFIX": self.a.national_id[:7],
            "EMAIL_A": self.a.email,
            "EMAIL_A_LOCAL": self.a.email.split("@")[0],
            "NAME_A": self.a.full_name,
            "PHONE_A": self.a.phone,
            "COUNTRY_A": self.a.country,
            "OUT_ID": str(self.outsider.customer_id),
            "OUT_NAME": self.outsider.full_name,
            "OUT_PHONE": self.outsider.phone,
            "OUT_EMAIL": self.outsider.email,
            "CRM_PATH": str(crm_path),
        }

    def fill(self, sql: str) -> str:
        return re.sub(r"<<(\w+)>>", lambda m: self.params[m.group(1)], sql)

    # what ada sees of a customer (every mask of the demo's policies)
    def ada_row(self, c: Customer) -> tuple[Any, ...]:
        return (
            c.customer_id,
            mask_initial(c.full_name),
            mask_last_4(c.email),
            mask_redact(c.phone),
            mask_hash(c.national_id),
            c.region,
            None,
            c.created_at,
            c.segment,
        )


@pytest.fixture(scope="module")
def truth(demo_dir: Path) -> Truth:
    truth = Truth(demo_dir / "crm" / "crm.sqlite")
    assert len(truth.customers) > len(truth.emea) > 10
    assert truth.others
    assert len(truth.tickets) > len(truth.emea_tickets) > 10
    return truth


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


# -- oracles --------------------------------------------------------------------------------------


def _leaves(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    else:
        yield str(value)


def cells(table: pa.Table) -> list[str]:
    """Every value of every column (nested values flattened), and the column names."""
    out = list(table.column_names)
    for column in table.columns:
        for value in column.to_pylist():
            out.extend(_leaves(value))
    return out


def find_leaks(texts: Iterable[str], secrets: Secrets) -> list[str]:
    texts = [t.lower() for t in texts]
    haystack = "\x1f".join(texts)
    found = sorted(s for s in secrets.substrings if s in haystack)
    pieces = {t.strip() for t in texts}
    for text in texts:
        pieces.update(p.strip(" '\"[]{}()") for p in re.split(r"[,;|\t\n]", text))
    found += sorted(secrets.whole & pieces)
    return found


def arrow_table(response: httpx.Response) -> pa.Table:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ARROW
    return pa.ipc.open_stream(response.content).read_all()


def query(
    client: httpx.Client, user: str, sql: str, dialect: str | None = None, **session: str | None
) -> httpx.Response:
    body: dict[str, Any] = {"sql": sql, **{k: v for k, v in session.items() if v is not None}}
    if dialect is not None:
        body["dialect"] = dialect
    return client.post("/v1/query", json=body, headers={USER_HEADER: user})


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["content-type"] == PROBLEM, response.text[:500]
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code
    assert problem["detail"]
    assert "Traceback" not in response.text
    return problem


# -- the corpus -----------------------------------------------------------------------------------

Check = Callable[[pa.Table, Truth], None]


@dataclass(frozen=True)
class Case:
    route: str
    user: str
    sql: str
    expect: str  # "denied" or "allowed"
    codes: tuple[str, ...] = ("ACCESS_DENIED",)
    resource: str | None = None
    check: Check | None = None
    dialect: str | None = None
    catalog: str | None = None
    schema: str | None = None
    leak: str | None = None
    clean_ok: bool = False  # a refusal or an answer passing every oracle are both correct


CASES: list[Case] = []


def denied(route: str, user: str, sql: str, *codes: str, resource: str | None = None, **extra: Any) -> None:
    CASES.append(Case(route, user, sql, "denied", codes or ("ACCESS_DENIED",), resource, **extra))


def allowed(route: str, user: str, sql: str, check: Check | None = None, **extra: Any) -> None:
    CASES.append(Case(route, user, sql, "allowed", check=check, **extra))


def first_column(table: pa.Table) -> list[Any]:
    return table.column(0).to_pylist()


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(c.to_pylist() for c in table.columns), strict=True))


def scalar_is(expected: Callable[[Truth], Any]) -> Check:
    def check(table: pa.Table, truth: Truth) -> None:
        assert table.num_rows == 1, table
        assert table.column(0)[0].as_py() == expected(truth)

    return check


def column_is(expected: Callable[[Truth], list[Any]], *, ordered: bool = True) -> Check:
    def check(table: pa.Table, truth: Truth) -> None:
        got, want = first_column(table), expected(truth)
        if not ordered:
            got, want = sorted(got, key=repr), sorted(want, key=repr)
        assert got == want

    return check


def rows_are(expected: Callable[[Truth], list[tuple[Any, ...]]]) -> Check:
    def check(table: pa.Table, truth: Truth) -> None:
        assert rows(table) == expected(truth)

    return check


def num_rows_is(expected: Callable[[Truth], int]) -> Check:
    def check(table: pa.Table, truth: Truth) -> None:
        assert table.num_rows == expected(truth)

    return check


def all_cells(predicate: Callable[[Any], bool]) -> Check:
    def check(table: pa.Table, truth: Truth) -> None:
        for column in table.columns:
            for value in column.to_pylist():
                assert predicate(value), value

    return check


def ada_customers(table: pa.Table, truth: Truth) -> None:
    assert table.column_names[:9] == [
        "customer_id",
        "full_name",
        "email",
        "phone",
        "national_id",
        "region",
        "country",
        "created_at",
        "segment",
    ]
    ada_rows(table, truth)


def ada_rows(table: pa.Table, truth: Truth) -> None:
    got = sorted(r[:9] for r in rows(table))
    assert got == [truth.ada_row(c) for c in truth.customers]


def sam_customers(table: pa.Table, truth: Truth) -> None:
    assert rows(table) == [
        (c.customer_id, c.full_name, mask_last_4(c.email), c.phone, c.region, c.country) for c in truth.emea
    ]


def emea_ticket_ids(t: Truth) -> list[int]:
    return [ticket[0] for ticket in t.emea_tickets]


def plan_only(table: pa.Table, truth: Truth) -> None:
    assert table.column_names == ["Query Plan"]
    assert table.num_rows == 1
    plan = table.column(0)[0].as_py()
    assert "lg_" not in plan  # the engine's physical catalogs stay hidden
    assert "crm.sqlite" not in plan


EMEA = lambda t: len(t.emea)  # noqa: E731
ZERO = lambda t: 0  # noqa: E731

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


def _ids(cases: list[Case]) -> Iterator[Any]:
    seen: dict[str, int] = {}
    for case in cases:
        seen[case.route] = seen.get(case.route, 0) + 1
        name = f"{case.route}-{seen[case.route]:02d}-{case.user}"
        marks = [pytest.mark.xfail(strict=True, reason=case.leak)] if case.leak else []
        yield pytest.param(case, id=name, marks=marks)


def _assert_clean(texts: Iterable[str], case: Case, truth: Truth, what: str) -> None:
    leaked = find_leaks(texts, truth.secrets[case.user])
    assert not leaked, f"{what} for {case.user} holds forbidden values: {leaked[:5]}"


def _assert_denial(problem: dict[str, Any], case: Case) -> None:
    assert problem["code"] in case.codes, problem
    if problem["code"] != "ACCESS_DENIED":
        return
    assert problem["status"] == 403
    resource, access = problem.get("resource"), problem.get("access_type")
    assert resource, problem
    assert access == "select", problem
    assert resource in problem["detail"], problem
    assert access in problem["detail"], problem
    assert f"user {case.user} " in problem["detail"]
    if case.resource is not None:
        assert resource == case.resource, problem


@pytest.mark.parametrize("case", list(_ids(CASES)))
def test_adversarial_query(client: httpx.Client, truth: Truth, case: Case) -> None:
    sql = truth.fill(case.sql)
    response = query(client, case.user, sql, case.dialect, catalog=case.catalog, schema=case.schema)
    if response.status_code != 200:
        _assert_clean([response.text], case, truth, "the error body")
        problem = problem_of(response)
        if case.expect == "allowed":
            pytest.fail(f"expected an answer, got {problem['code']}: {problem['detail']}")
        _assert_denial(problem, case)
        return
    table = arrow_table(response)
    _assert_clean(cells(table), case, truth, "the answer")
    if case.expect == "denied" and not case.clean_ok:
        pytest.fail(f"expected {'/'.join(case.codes)}, got an answer with {table.num_rows} rows")
    if case.check is not None:
        case.check(table, truth)


def test_the_corpus_is_large_and_covers_every_route() -> None:
    routes = {c.route for c in CASES}
    assert len(CASES) >= 120
    assert routes >= {
        "star",
        "subquery",
        "cte",
        "join",
        "setop",
        "lateral",
        "correlated",
        "predicate",
        "order_group",
        "window",
        "aggregate",
        "case",
        "cast",
        "quoting",
        "comments",
        "unicode",
        "multi",
        "system",
        "functions",
        "explain",
        "metadata",
        "dialects",
        "values",
        "count_star",
    }
    assert {c.user for c in CASES} >= {"ada", "sam", "eve"}


# -- positive controls: the oracle sees real data when it is there ---------------------------------


def test_root_sees_real_values_and_the_oracle_flags_them(client: httpx.Client, truth: Truth) -> None:
    table = arrow_table(
        query(
            client,
            "root",
            "SELECT customer_id, full_name, email, phone, national_id, region FROM crm.main.customers "
            "ORDER BY customer_id",
        )
    )
    assert rows(table) == [
        (c.customer_id, c.full_name, c.email, c.phone, c.national_id, c.region) for c in truth.customers
    ]
    leaked = find_leaks(cells(table), truth.secrets["ada"])
    assert truth.a.email in leaked
    assert truth.a.national_id in leaked
    assert truth.a.full_name.lower() in leaked
    assert truth.outsider.full_name.lower() in find_leaks(cells(table), truth.secrets["sam"])
    nested = arrow_table(
        query(client, "root", "SELECT array_agg(email), string_agg(full_name, ', ') FROM crm.main.customers")
    )
    assert truth.outsider.email in find_leaks(cells(nested), truth.secrets["sam"])
    assert truth.outsider.full_name.lower() in find_leaks(cells(nested), truth.secrets["sam"])
    # sam's own EMEA data is no secret to sam; the oracle must not cry wolf
    own = arrow_table(query(client, "sam", "SELECT full_name, phone FROM crm.main.customers"))
    assert own.num_rows == len(truth.emea)
    assert not find_leaks(cells(own), truth.secrets["sam"])


def test_error_bodies_carry_data_for_root_so_the_error_oracle_is_live(
    client: httpx.Client, truth: Truth
) -> None:
    response = query(
        client,
        "root",
        f"SELECT CAST(national_id AS integer) FROM crm.main.customers WHERE customer_id = {truth.a.customer_id}",
    )
    assert problem_of(response)["code"] == "ENGINE_DATA_ERROR"
    assert truth.a.national_id in find_leaks([response.text], truth.secrets["ada"])


# -- no existence oracle -----------------------------------------------------------------------------

HIDDEN_VS_MISSING = [
    ("sam", "crm.main.contracts", "crm.main.no_such_table"),
    ("sam", "crm.main.contracts", "crm.no_such_schema.contracts"),
    ("ada", "crm.main.support_tickets", "crm.main.no_such_table"),
    ("eve", "crm.main.customers", "crm.main.no_such_table"),
    ("eve", "crm.main.customers", "no_such_catalog.main.customers"),
    ("eve", "tpch.tiny.nation", "tpch.tiny.no_such_table"),
]
SHAPES = [
    "SELECT * FROM {t}",
    "SELECT count(*) FROM {t}",
    "SELECT no_such_column FROM {t}",
    "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM {t})",
    "EXPLAIN SELECT * FROM {t}",
    "WITH x AS (SELECT * FROM {t}) SELECT 1",
]


def _comparable(response: httpx.Response, name: str) -> tuple[int, str, dict[str, Any]]:
    body = dict(response.json())
    body.pop("query_id", None)
    for key, value in body.items():
        if isinstance(value, str):
            body[key] = value.replace(name, "<T>")
    return response.status_code, response.headers["content-type"], body


@pytest.mark.parametrize(("user", "hidden", "missing"), HIDDEN_VS_MISSING)
@pytest.mark.parametrize("shape", SHAPES)
def test_a_hidden_table_and_a_missing_one_get_the_same_denial(
    client: httpx.Client, user: str, hidden: str, missing: str, shape: str
) -> None:
    first = query(client, user, shape.format(t=hidden))
    second = query(client, user, shape.format(t=missing))
    assert first.json()["code"] == "ACCESS_DENIED", first.text
    assert _comparable(first, hidden) == _comparable(second, missing)
    problem = first.json()
    assert problem["resource"] == hidden
    assert problem["access_type"] == "select"
    assert hidden in problem["detail"]
    assert "select" in problem["detail"]


# A user who may list a schema may learn that a schema does not exist; within a schema, a hidden
# table and a missing one must look alike, and so must a hidden catalog and a missing one.
DESCRIBE_PAIRS = [
    ("sam", "crm.main.contracts", "crm.main.no_such_table", "TABLE_NOT_FOUND"),
    ("ada", "crm.main.support_tickets", "crm.main.no_such_table", "TABLE_NOT_FOUND"),
    ("eve", "crm.main.customers", "no_such_catalog.main.customers", "CATALOG_NOT_FOUND"),
    ("eve", "tpch.tiny.nation", "no_such_catalog.tiny.nation", "CATALOG_NOT_FOUND"),
]


@pytest.mark.parametrize(("user", "hidden", "missing", "code"), DESCRIBE_PAIRS)
@pytest.mark.parametrize("shape", ["DESCRIBE {t}", "SHOW COLUMNS FROM {t}"])
def test_describe_does_not_tell_hidden_from_missing(
    client: httpx.Client, user: str, hidden: str, missing: str, code: str, shape: str
) -> None:
    first = query(client, user, shape.format(t=hidden))
    second = query(client, user, shape.format(t=missing))
    assert first.status_code == 404, first.text
    assert first.json()["code"] == code
    differ = next((a, b) for a, b in zip(hidden.split("."), missing.split("."), strict=True) if a != b)
    first_body, second_body = _comparable(first, differ[0]), _comparable(second, differ[1])
    assert first_body == second_body


# -- browse endpoints ---------------------------------------------------------------------------------


def test_browse_shows_eve_nothing(client: httpx.Client) -> None:
    eve = {USER_HEADER: "eve"}
    assert client.get("/v1/catalogs", headers=eve).json() == {"catalogs": []}
    for path in (
        "/v1/catalogs/crm/schemas",
        "/v1/catalogs/tpch/schemas",
        "/v1/catalogs/lake/schemas",
        "/v1/catalogs/crm/schemas/main/tables",
        "/v1/catalogs/crm/schemas/main/tables/customers",
        "/v1/catalogs/lake/schemas/shipping/tables/vessels",
    ):
        hidden = client.get(path, headers=eve)
        assert hidden.status_code == 404, (path, hidden.text)
        problem = hidden.json()
        assert problem["code"] == "CATALOG_NOT_FOUND"
        catalog = path.split("/")[3]
        missing = client.get(
            path.replace(f"/catalogs/{catalog}", "/catalogs/no_such_catalog"), headers=eve
        ).json()
        assert problem["detail"].replace(catalog, "<C>") == missing["detail"].replace(
            "no_such_catalog", "<C>"
        )
    assert client.get("/v1/audit", headers=eve).status_code == 403


def test_browse_hides_what_sam_may_not_read(client: httpx.Client) -> None:
    sam = {USER_HEADER: "sam"}
    tables = client.get("/v1/catalogs/crm/schemas/main/tables", headers=sam).json()["tables"]
    assert [t["name"] for t in tables] == ["customers", "support_tickets"]
    columns = client.get("/v1/catalogs/crm/schemas/main/tables/customers", headers=sam).json()["columns"]
    assert "national_id" not in {c["name"] for c in columns}
    hidden = client.get("/v1/catalogs/crm/schemas/main/tables/contracts", headers=sam)
    missing = client.get("/v1/catalogs/crm/schemas/main/tables/no_such_table", headers=sam)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("contracts", "<T>") == missing.json()["detail"].replace(
        "no_such_table", "<T>"
    )
    for user in ("ada", "sam"):
        assert client.get("/v1/audit", headers={USER_HEADER: user}).status_code == 403
