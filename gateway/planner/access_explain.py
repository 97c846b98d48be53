"""Why was I denied? The planner's authorization decisions for one query, every one of them.

The query is planned as it would run, up to the authorize pass (parse, resolve, qualify): what
fails there fails here with the same error, so an unknown table and a table the user may not see
answer alike (``TABLE_NOT_FOUND``) and the explanation reveals nothing a query's error would not.
Then, where the authorize pass stops at the first denial, every column read is checked and the
table's row filter and each allowed column's mask are looked up, as secure_views applies them.

A row filter's expression is shown only when ``show_filters`` (to policy administrators).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from auth.authorizer import Authorizer, Decision
from auth.enforcement.columns import columns_read
from auth.policy.results import NO_POLICY
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext, QueryRequest
from gateway.planner.passes.authorize import authorize
from gateway.planner.pipeline import _EXPLAIN, Planner


@dataclass(slots=True)
class ColumnAccess:
    column: str | None  # None: the table is read without a column (count(*))
    decision: str  # "allowed" | "denied" | "masked"
    #: for a denial: "deny" (a deny item matched), "no-allow" (no policy allows it) or
    #: "not-visible" (the table is hidden from the user, whether or not it exists)
    denied_by: str | None = None
    mask_type: str | None = None
    policy_id: int | None = None
    policy: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self._items() if v is not None or k in ("column", "decision")}

    def _items(self) -> list[tuple[str, Any]]:
        return [
            ("column", self.column),
            ("decision", self.decision),
            ("denied_by", self.denied_by),
            ("mask_type", self.mask_type),
            ("policy_id", self.policy_id),
            ("policy", self.policy),
        ]


@dataclass(slots=True)
class TableAccess:
    table: str
    columns: list[ColumnAccess] = field(default_factory=list)
    row_filter: dict[str, Any] | None = None

    @property
    def decision(self) -> str:
        if any(c.decision == "denied" for c in self.columns):
            return "denied"
        return "allowed"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "decision": self.decision,
            "masked": any(c.decision == "masked" for c in self.columns),
            "row_filter": self.row_filter,
            "columns": [c.to_json() for c in self.columns],
        }


def explain_access(planner: Planner, request: QueryRequest, *, show_filters: bool) -> dict[str, Any]:
    """The explanation document for ``request`` (planned as ``request.user`` with their groups)."""
    authorizer = planner.authorizer
    if authorizer is not None:
        authorizer.refresh()
    explained = _EXPLAIN.match(request.sql)
    if explained:  # EXPLAIN q is authorised as q is
        request = replace(request, sql=explained.group("query"))
    ctx = QueryContext(request, planner.snapshot, planner.connectors, planner.max_sql_bytes, authorizer)
    ctx.views = planner.views
    try:
        for step in planner.passes:
            if step is authorize:
                break
            ctx = step(ctx)
    except LakegateError as exc:
        resource = exc.extra.get("resource")
        if exc.code is ErrorCode.ACCESS_DENIED and isinstance(resource, str):
            # A table hidden from the user (resolve_tables): refused alike whether it exists or
            # not, so no policy is named; the user learns what the query's error says.
            hidden = TableAccess(resource, [ColumnAccess(None, "denied", denied_by="not-visible")])
            return _outcome(request, "denied", [hidden], error=exc)
        return _outcome(request, "error", [], error=exc)
    except RecursionError:
        error = LakegateError(ErrorCode.QUERY_TOO_COMPLEX, "the query is nested too deeply")
        return _outcome(request, "error", [], error=error)
    except Exception:
        error = LakegateError(
            ErrorCode.NOT_SUPPORTED,
            "Lakegate cannot analyse this query, so it was not run; simplify or rewrite it",
        )
        return _outcome(request, "error", [], error=error)
    if ctx.done or ctx.tree is None or authorizer is None:
        # Answered from metadata (SHOW, DESCRIBE, EXPLAIN) or no policies: nothing is enforced.
        return _outcome(request, "allowed", [])
    tables = _tables(ctx, authorizer, show_filters=show_filters)
    if any(t.decision == "denied" for t in tables):
        outcome = "denied"
    elif any(t.row_filter is not None or any(c.decision == "masked" for c in t.columns) for t in tables):
        outcome = "restricted"
    else:
        outcome = "allowed"
    return _outcome(request, outcome, tables)


def _tables(ctx: QueryContext, authorizer: Authorizer, *, show_filters: bool) -> list[TableAccess]:
    assert ctx.tree is not None
    identity = ctx.request.identity
    snapshot = ctx.snapshot

    def columns_of(key: tuple[str, str, str]) -> list[str]:
        info = snapshot.table(*key)
        return [c.name for c in info.columns] if info is not None else []

    found: list[TableAccess] = []
    for key, columns in sorted(columns_read(ctx.tree, columns_of).items()):
        entry = TableAccess(".".join(key))
        checks: list[str | None] = [*sorted(columns)] or [None]
        for column in checks:
            decision = authorizer.check_select(identity, key, column)
            if not decision.allowed:
                entry.columns.append(_denied(authorizer, column, decision))
                continue
            if column is not None:
                mask = authorizer.data_mask(identity, key, column)
                if mask.is_masked:
                    entry.columns.append(
                        ColumnAccess(
                            column,
                            "masked",
                            mask_type=mask.mask_type,
                            policy_id=mask.policy_id,
                            policy=_name(authorizer, mask.policy_id),
                        )
                    )
                    continue
            entry.columns.append(
                ColumnAccess(
                    column,
                    "allowed",
                    policy_id=decision.policy_id,
                    policy=_name(authorizer, decision.policy_id),
                )
            )
        if entry.decision != "denied":
            row_filter = authorizer.row_filter(identity, key)
            if row_filter.has_filter:
                entry.row_filter = {
                    "policy_id": row_filter.policy_id,
                    "policy": _name(authorizer, row_filter.policy_id),
                }
                if show_filters:
                    entry.row_filter["expression"] = row_filter.filter_expr
        found.append(entry)
    return found


def _denied(authorizer: Authorizer, column: str | None, decision: Decision) -> ColumnAccess:
    if decision.policy_id == NO_POLICY:
        return ColumnAccess(column, "denied", denied_by="no-allow")
    return ColumnAccess(
        column,
        "denied",
        denied_by="deny",
        policy_id=decision.policy_id,
        policy=_name(authorizer, decision.policy_id),
    )


def _name(authorizer: Authorizer, policy_id: int) -> str | None:
    if policy_id == NO_POLICY:
        return None
    return authorizer.engine.policy_name(policy_id)


def _outcome(
    request: QueryRequest, outcome: str, tables: list[TableAccess], *, error: LakegateError | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "user": request.user,
        "sql": request.sql,
        "outcome": outcome,
        "tables": [t.to_json() for t in tables],
    }
    if error is not None:
        document["error"] = {"code": error.code.value, "message": error.detail}
    return document
