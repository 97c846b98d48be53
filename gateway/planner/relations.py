"""Every relation a query reads, with the CTEs in scope where it is read: the closed world.

A name in FROM or JOIN is either a CTE visible at that point or a stored table; nothing else may
reach the engine. Which CTE a name means is decided here by rules the engine follows:

- a CTE is visible in the main query of its WITH, in the CTEs defined after it, and in anything
  nested in those;
- a recursive CTE also sees itself, but only in its recursive branch (the right-hand side of
  the UNION at the top of its body). Named in its first branch, or inside its own definition in
  a plain WITH, the name means an outside object;
- names compare case-insensitively, as the engine compares them, even when quoted.

A name that is no CTE in scope is a stored table, which the planner qualifies as
catalog.schema.table, so the engine cannot bind it to anything else. When such a name also
matches a CTE of the query (``shadows_cte``), sqlglot may have bound it to that CTE where the
engine would not (a recursive CTE naming itself in its first branch): the check_relations pass
refuses those. Relations of other kinds (table functions, PIVOT) are refused here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError

#: what may stand in FROM or JOIN
_RELATION_KINDS = (exp.Table, exp.Subquery, exp.Values, exp.Unnest, exp.Lateral)


@dataclass(frozen=True, slots=True)
class Relation:
    table: exp.Table
    #: True when the name is a CTE in scope; False for a stored table
    is_cte: bool
    #: a stored table whose name is also the name of a CTE of the query (not in scope here)
    shadows_cte: bool = False


def fold(name: str) -> str:
    return name.casefold()


def relations(tree: exp.Expr) -> list[Relation]:
    """Every exp.Table of the tree, each told apart as a CTE reference or a stored table.

    Raises a LakegateError for a relation of a kind outside the closed world. One walk of the
    tree; then each table's scope is read off its chain of parents (cheap: few tables, shallow).
    """
    tables: list[exp.Table] = []
    all_ctes: set[str] = set()
    for node in tree.walk():
        if isinstance(node, exp.Table):
            tables.append(node)
        elif isinstance(node, exp.From | exp.Join):
            _check_kind(node.this)
        elif isinstance(node, exp.CTE):
            all_ctes.add(fold(node.alias_or_name))
        elif isinstance(node, exp.With):
            _check_with(node)
    return [_classify(table, _visible(table), all_ctes) for table in tables]


def _visible(table: exp.Table) -> set[str]:
    """The CTE names in scope where ``table`` stands, read off its chain of parents."""
    visible: set[str] = set()
    path: list[exp.Expr] = [table]  # from the table up to the node below ``parent``
    parent = table.parent
    while parent is not None:
        child = path[-1]
        if isinstance(parent, exp.With) and isinstance(child, exp.CTE):
            ctes = parent.expressions
            index = next(i for i, cte in enumerate(ctes) if cte is child)
            visible.update(fold(cte.alias_or_name) for cte in ctes[:index])
            body = child.this
            # its own name, only in the recursive branch: the right side of the body's top UNION
            below = path[-3] if len(path) >= 3 else None
            if (
                parent.args.get("recursive")
                and isinstance(body, exp.SetOperation)
                and path[-2] is body
                and below is body.args.get("expression")
            ):
                visible.add(fold(child.alias_or_name))
        elif isinstance(parent, exp.Query):
            with_ = parent.args.get("with_")
            if isinstance(with_, exp.With) and child is not with_:
                visible.update(fold(cte.alias_or_name) for cte in with_.expressions)
        path.append(parent)
        parent = parent.parent
    return visible


def _check_with(with_: exp.With) -> None:
    for key in ("search", "cycle", "udfs"):
        if with_.args.get(key):
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED, f"WITH ... {key.upper()} is not supported by Lakegate"
            )
    for cte in with_.expressions:
        if cte.args.get("key_expressions"):
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED, "recursive CTEs with USING KEY are not supported by Lakegate"
            )


def _check_kind(relation: exp.Expr | None) -> None:
    if relation is None or isinstance(relation, _RELATION_KINDS):
        if isinstance(relation, exp.Lateral) and not isinstance(relation.this, exp.Subquery | exp.Unnest):
            raise _table_function()
        if relation is not None and relation.args.get("pivots"):
            raise _no_pivot()
        return
    raise LakegateError(
        ErrorCode.NOT_SUPPORTED,
        f"{type(relation).__name__.upper()} is not allowed in FROM: query tables by their "
        "catalog.schema.table names",
    )


def _no_pivot() -> LakegateError:
    return LakegateError(ErrorCode.NOT_SUPPORTED, "PIVOT and UNPIVOT are not supported by Lakegate")


def _table_function() -> LakegateError:
    return LakegateError(
        ErrorCode.FUNCTION_NOT_ALLOWED,
        "table functions are not allowed: query tables through their catalog.schema.table names",
    )


def _classify(table: exp.Table, visible: set[str], all_ctes: set[str]) -> Relation:
    if not isinstance(table.this, exp.Identifier) or any(
        not isinstance(table.args.get(part), exp.Identifier | None) for part in ("db", "catalog")
    ):
        raise _table_function()
    if table.args.get("pivots"):
        raise _no_pivot()
    if table.args.get("db") or table.args.get("catalog"):
        return Relation(table, is_cte=False)
    name = fold(table.name)
    if name in visible:
        return Relation(table, is_cte=True)
    return Relation(table, is_cte=False, shadows_cte=name in all_ctes)


def out_of_scope(table: exp.Table) -> LakegateError:
    return LakegateError(
        ErrorCode.NOT_SUPPORTED,
        f"{table.name} names a CTE where that CTE is not in scope (a CTE is visible after its "
        "definition; a recursive CTE may name itself only in its recursive branch): rename the "
        "CTE or qualify the table as catalog.schema.table",
    )
