"""The adversarial corpus's vocabulary: a case, how to register one, and the checks of an answer.

Every case is ``(user, sql, expected)``. ``denied`` cases must come back refused with one of the
named codes (an ``ACCESS_DENIED`` must name the resource and the access type); ``allowed`` cases
must return an answer that passes the generic oracles (:mod:`tests.security.oracle`) plus the
case's own check. The cases live in the ``cases_*`` modules, one per family of routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tests.security.oracle import Truth, mask_last_4

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
    return list(table.column(0).to_pylist())


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
