"""Judge one attack's outcome at one front door against ground truth.

Each kind of failure is its own exception class, so that hypothesis reports (and shrinks) every
distinct leak it finds, not only the first one. The checks:

- the error contract: a refusal is a 4xx problem document (native) or a Trino USER_ERROR, never
  a 5xx, an internal error or a stack trace;
- no text the client got (cells, column names, error messages) holds a value hidden from the
  user (:class:`tests.security.oracle.Truth`) or a hidden object
  (:class:`tests.security.oracle.HiddenObjects`);
- from the attack's own facts (what the shape reads, worked out by the generator): an answered
  query reads no object outside the catalogs, no table and no column the user may not read;
  sam's customer ids, ticket ids and regions are EMEA ones; a probe's answer is the blind one;
  and a refusal for ACCESS_DENIED is not given to a query that reads only what the user may read.

Facts describe the query as written for its dialect; the Trino door reads SQL as Trino, so the
fact-based checks apply there only to attacks without DuckDB-only syntax.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NoReturn

from tests.security.attack_model import READABLE, Attack
from tests.security.doors import Outcome
from tests.security.oracle import HiddenObjects, Truth, find_leaks

DENIALS = ("ACCESS_DENIED", "PERMISSION_DENIED")


class AttackFailure(AssertionError):
    """A front door answered an attack wrongly."""


class ContractBroken(AttackFailure):
    """A 5xx, an internal error or a stack trace instead of a 4xx refusal."""


class ValueLeak(AttackFailure):
    """A value hidden from the user (a mask's input, a filtered row) reached the client."""


class ObjectLeak(AttackFailure):
    """An engine name, a file path, or content of the policy, users or config file reached the client."""


class OutsideRead(AttackFailure):
    """A query naming an engine object, a file or an engine-internal function was answered."""


class HiddenTableRead(AttackFailure):
    """A query reading a table the user may not read was answered."""


class DeniedColumnRead(AttackFailure):
    """A query using a column the user may not read was answered (the check missed it)."""


class RowFilterEscape(AttackFailure):
    """sam was answered a customer id, ticket id or region outside EMEA."""


class ProbeLeak(AttackFailure):
    """A probe's answer depended on a hidden value."""


class FalseDenial(AttackFailure):
    """ACCESS_DENIED for a query reading only what the user may read."""


def denied_reads(attack: Attack) -> tuple[set[str], set[str]]:
    """The tables and the columns of the attack that its user may not read."""
    readable = READABLE[attack.user]
    tables = {t for t in attack.facts.tables if t not in readable}
    columns = set()
    for read in attack.facts.reads:
        table, column = read.split(".", 1)
        if table not in readable or column not in readable[table]:
            columns.add(read)
    return tables, columns


def _values(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _values(item)
    elif value is not None:
        yield value


_SAM_ROWS = {
    "customers.customer_id": "emea_ids",
    "support_tickets.ticket_id": "emea_ticket_ids",
}


def _as_id(value: object) -> object:
    """An id as the integer it is, whatever type a set operation cast its column to ('101', 101.0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float | Decimal):
        try:
            whole = int(value)
        except (ValueError, OverflowError):
            return value
        return whole if whole == value else value
    return value


def _row_filter_escapes(attack: Attack, outcome: Outcome, truth: Truth) -> list[str]:
    if attack.user != "sam" or attack.outputs is None or len(attack.outputs) != len(outcome.columns):
        return []
    found = []
    for index, origin in enumerate(attack.outputs):
        if origin in _SAM_ROWS:
            allowed: frozenset[int] = getattr(truth, _SAM_ROWS[origin])
            bad = {v for v in _values(outcome.column(index)) if _as_id(v) not in allowed}
            if bad:
                found.append(f"{origin} values outside EMEA: {sorted(bad, key=str)[:5]}")
        elif origin in ("customers.region", "support_tickets.region"):
            bad = {v for v in _values(outcome.column(index)) if v != "EMEA"}
            if bad:
                found.append(f"{origin} values {sorted(bad, key=str)[:5]}")
    return found


def _fail(kind: type[AttackFailure], where: str, detail: str) -> NoReturn:
    raise kind(f"SECURITY FAILURE, {kind.__name__}: {kind.__doc__}\n{where}\n  {detail}")


def judge(attack: Attack, outcome: Outcome, truth: Truth, hidden: HiddenObjects) -> None:
    """Raise the first kind of failure found (a subclass of AttackFailure), else return."""
    where = f"{attack.describe()}\n  -> {outcome.summary()}"
    if outcome.violations:
        _fail(ContractBroken, where, str(outcome.violations))
    values = find_leaks(outcome.texts, truth.secrets[attack.user])
    values += truth.stats_leaks(outcome.texts, attack.user)
    if values:
        _fail(ValueLeak, where, f"hidden values: {values[:5]}")
    answer = outcome.texts if outcome.answered else []
    said = f"{attack.sql}\n{attack.catalog}\n{attack.schema}"
    objects = hidden.leaks(said, attack.user, outcome.texts, answer)
    if objects:
        _fail(ObjectLeak, where, f"hidden objects: {objects[:8]}")
    if attack.duckdb_only and outcome.door != "native":
        return
    tables, columns = denied_reads(attack)
    outside = attack.facts.outside
    if outcome.door == "trino":  # the door serves information_schema itself, as Trino does
        outside = frozenset(o for o in outside if not o.startswith("information_schema."))
    if outcome.answered:
        _judge_answer(attack, outcome, truth, where, outside, tables, columns)
        return
    reads_only_allowed = not (tables or columns or attack.facts.outside)
    access_denied = outcome.code in DENIALS and outcome.message.startswith("Access denied")
    if access_denied and reads_only_allowed and attack.family == "generated" and attack.facts.tables:
        _fail(
            FalseDenial, where, f"it reads only {sorted(attack.facts.reads)} of {sorted(attack.facts.tables)}"
        )


def _judge_answer(
    attack: Attack,
    outcome: Outcome,
    truth: Truth,
    where: str,
    outside: frozenset[str],
    tables: set[str],
    columns: set[str],
) -> None:
    if outside:
        _fail(OutsideRead, where, f"it reads {sorted(outside)}")
    if tables:
        _fail(HiddenTableRead, where, f"it reads hidden table(s) {sorted(tables)}")
    if columns:
        _fail(DeniedColumnRead, where, f"it uses denied column(s) {sorted(columns)}")
    escapes = _row_filter_escapes(attack, outcome, truth)
    if escapes:
        _fail(RowFilterEscape, where, str(escapes))
    if attack.expect_rows is not None:
        got = [row[0] for row in outcome.rows]
        want = [row[0] for row in attack.expect_rows]
        if got != want:
            _fail(ProbeLeak, where, f"answered {got}, the blind answer is {want}")
