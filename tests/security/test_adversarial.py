"""Adversarial queries against the live demo: try hard to read what the policies forbid.

The corpus (``cases_*`` modules, vocabulary in :mod:`tests.security.corpus`) runs through both
front doors: the native API (``POST /v1/query``) and the Trino client protocol
(``POST /v1/statement``). Every answer and every error goes through the oracles computed from the
CRM's SQLite ground truth (:mod:`tests.security.oracle`):

- ada (analysts): no cell holds a real e-mail, phone, national id or full name (masks hold);
- sam (support, EMEA): no cell holds a national id, an unmasked e-mail, or the name or phone
  of a non-EMEA customer; counts equal the EMEA counts;
- eve: everything under crm, tpch and lake is denied; table-less queries hold no personal data;
- no one but root learns an engine name, a file path or the policy, users or config files;
- root sees real values (a positive control: the same oracle flags root's answers).

A refusal is a 4xx problem document (native) or a Trino user error, never a 5xx or a trace. The
Trino door reads Trino SQL: a case written for another dialect is held there to the oracles
only, not to its expected outcome.

A case marked ``xfail(strict=True, reason="LEAK: ...")`` is a leak found by this corpus; it is
kept exactly as it should behave. For those, refusing the query or answering it with the
forbidden value hidden are both correct (``clean_ok``), so any fix turns the case green.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pyarrow as pa
import pytest

from gateway.errors import ErrorCode, LakegateError
from gateway.frontdoors.trino.errors import trino_error_of
from tests.security import cases_columns, cases_expressions, cases_relations, cases_statements, doors
from tests.security.corpus import CASES, Case, rows
from tests.security.doors import Outcome
from tests.security.oracle import HiddenObjects, Truth, find_leaks

ARROW = doors.ARROW
PROBLEM = doors.PROBLEM
USER_HEADER = "X-Lakegate-User"
ROUTE_MODULES = (cases_columns, cases_relations, cases_expressions, cases_statements)
#: statements the Trino door answers itself, as Trino does (its metadata is filtered by the same
#: policies): there a case is held to the oracles only, not to the native API's refusal
TRINO_DOOR_ANSWERS_ITSELF = {
    "SELECT * FROM information_schema.columns": "information_schema of the session's catalog",
    "SELECT * FROM crm.information_schema.columns": "a catalog's information_schema",
    "SELECT * FROM lg_crm.information_schema.columns": "no such catalog: CATALOG_NOT_FOUND",
    "SHOW CREATE TABLE crm.main.customers": "SHOW CREATE TABLE of the columns the user may see",
}


# The corpus runs on the security suites' own server (tests/security/conftest.py: the demo plus
# its CRM as Parquet), so its many queries stay out of the shared demo server's query history.
@pytest.fixture(scope="module")
def truth(attack_truth: Truth) -> Truth:
    assert attack_truth.others  # customers outside EMEA, hidden from sam
    return attack_truth


@pytest.fixture(scope="module")
def hidden(attack_hidden: HiddenObjects) -> HiddenObjects:
    return attack_hidden


@pytest.fixture(scope="module")
def client(attack_client: httpx.Client) -> httpx.Client:
    return attack_client


def cells(table: pa.Table) -> list[str]:
    """Every value of every column (nested values flattened), and the column names."""
    out = list(table.column_names)
    for column in table.columns:
        out.extend(doors.leaves(column.to_pylist()))
    return out


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


# -- the corpus, through both doors ----------------------------------------------------------------


def _ids(cases: list[Case]) -> Iterator[Any]:
    seen: dict[str, int] = {}
    for case in cases:
        seen[case.route] = seen.get(case.route, 0) + 1
        name = f"{case.route}-{seen[case.route]:02d}-{case.user}"
        marks = [pytest.mark.xfail(strict=True, reason=case.leak)] if case.leak else []
        yield pytest.param(case, id=name, marks=marks)


def run_case(client: httpx.Client, door: str, case: Case, sql: str) -> Outcome:
    if door == "native":
        return doors.native(client, case.user, sql, case.dialect, case.catalog, case.schema)
    return doors.trino(client, case.user, sql, case.catalog, case.schema)


def _trino_names(codes: tuple[str, ...], message: str) -> set[str]:
    """The Trino error names the door reports for these Lakegate codes (and this message)."""
    return {trino_error_of(LakegateError(ErrorCode(code), message)).name for code in codes}


def _assert_denial(outcome: Outcome, case: Case) -> None:
    if outcome.door == "trino":
        assert outcome.code in _trino_names(case.codes, outcome.message), outcome.summary()
        if outcome.message.startswith("Access denied"):
            assert f"user {case.user} " in outcome.message, outcome.summary()
            assert "select" in outcome.message, outcome.summary()
            if case.resource is not None:
                assert case.resource in outcome.message, outcome.summary()
        return
    problem = outcome.error
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


@pytest.mark.parametrize("door", doors.DOORS)
@pytest.mark.parametrize("case", list(_ids(CASES)))
def test_adversarial_query(
    client: httpx.Client, truth: Truth, hidden: HiddenObjects, case: Case, door: str
) -> None:
    sql = truth.fill(case.sql)
    outcome = run_case(client, door, case, sql)
    assert not outcome.violations, f"{outcome.summary()}: {outcome.violations}"
    leaked = find_leaks(outcome.texts, truth.secrets[case.user]) + truth.stats_leaks(outcome.texts, case.user)
    assert not leaked, f"{outcome.summary()}: forbidden values for {case.user}: {leaked[:5]}"
    answer = outcome.texts if outcome.answered else []
    objects = hidden.leaks(f"{sql}\n{case.catalog}\n{case.schema}", case.user, outcome.texts, answer)
    assert not objects, f"{outcome.summary()}: hidden objects for {case.user}: {objects[:5]}"
    if door == "trino" and case.dialect not in (None, "trino"):
        return  # the Trino door reads Trino SQL; the case's expected outcome is for its own dialect
    if door == "trino" and case.sql in TRINO_DOOR_ANSWERS_ITSELF:
        return
    if not outcome.answered:
        if case.expect == "allowed":
            pytest.fail(f"expected an answer, got {outcome.summary()}")
        _assert_denial(outcome, case)
        return
    if case.expect == "denied" and not case.clean_ok:
        pytest.fail(f"expected {'/'.join(case.codes)}, got {outcome.summary()}")
    if case.check is not None:
        case.check(outcome.arrow if outcome.arrow is not None else outcome.table(), truth)


def test_the_corpus_is_large_and_covers_every_route() -> None:
    routes = {c.route for c in CASES}
    assert len(CASES) >= 300
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
