"""The names Trino gives a query's output columns, read from the tree as the query spells it.

Trino names a column by the alias or column reference that defines it, spelled as written
(quoted or not: ``AS Foo`` is ``Foo``), and an unnamed one ``_col<N>``, N its position in the
result. A star (``*``, ``t.*``) gives the columns of the relations it reads, in FROM order, each
named where its relation defines it: a derived table's or CTE's column list (``t(A)``), else its
query's output names (the first branch of a set operation); ``VALUES`` and ``UNNEST`` by their
alias's column list (an ``UNNEST`` ``WITH ORDINALITY`` adds the ordinality's name), else unnamed;
a workspace view by its query's spelling of the names it stores; a stored table by the engine's
name (``None`` here: the connector's names, which the engine gives as Trino would).

A star over a join ``USING`` gives the join columns first, named as the USING clause spells them,
then each side's others (``trino_join_stars`` has the engine give them in that order).

Where the planner cannot be sure of every position it gives up (``()`` for the whole result),
and the engine's names stay: a join ``USING`` of a stored table (which of its columns are the join
columns the tree does not say), ``NATURAL`` joins (refused anyway), ``UNNEST`` without column
names (its width depends on the array's type), ``LATERAL``, table functions, star modifiers, a
recursive CTE's reference to itself. Unknown is better than a name at the wrong position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlglot import exp

#: a column Trino leaves unnamed: named ``_col<N>`` by its position in the result
UNNAMED = ""
#: each output column's name; ``None``: the engine's (a stored table's column)
Names = list[str | None]
#: the names of a stored table's or view's columns (None: unknown relation)
RelationNames = Callable[[exp.Table], Sequence[str | None] | None]

_GENERATED_VALUES = re.compile(r"^_col_(\d+)$")
_STAR_MODIFIERS = ("except_", "replace", "rename", "except")
_MAX_DEPTH = 64


class UnknownNames(Exception):
    """The planner cannot tell every output column's name and position."""


def result_names(
    tree: exp.Expr,
    relation_names: RelationNames,
    *,
    generated_values: bool = True,
) -> tuple[str | None, ...]:
    """Each result column's name as Trino gives it, or ``()`` when the planner cannot tell them
    all (the engine's names are kept). ``relation_names`` names the columns of a table that is
    not a CTE of the query. ``generated_values``: a ``VALUES`` named ``_col_0, ...`` was named
    by sqlglot's table qualification (False when the query itself may spell them)."""
    try:
        names = _Namer(relation_names, generated_values).query(tree, 0)
    except UnknownNames:
        return ()
    return tuple(f"_col{i}" if name == UNNAMED else name for i, name in enumerate(names))


class _Namer:
    def __init__(self, relation_names: RelationNames, generated_values: bool) -> None:
        self.relation_names = relation_names
        self.generated_values = generated_values

    def query(self, node: exp.Expr, depth: int) -> Names:
        if depth > _MAX_DEPTH:
            raise UnknownNames("nested too deeply")
        while isinstance(node, exp.Subquery | exp.SetOperation):
            node = node.this if isinstance(node, exp.Subquery) else node.left
        if isinstance(node, exp.Select):
            return self.select(node, depth)
        if isinstance(node, exp.Values):
            return self.values(node)
        raise UnknownNames(type(node).__name__)

    def select(self, select: exp.Select, depth: int) -> Names:
        names: Names = []
        for projection in select.expressions:
            if isinstance(projection, exp.Alias):
                names.append(projection.alias)
            elif isinstance(projection, exp.Star):
                _plain_star(projection)
                names.extend(self.star(select, depth))
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                _plain_star(projection.this)
                names.extend(self.source(_source_named(select, projection.table), depth))
            elif isinstance(projection, exp.Column):
                names.append(projection.name)
            elif isinstance(projection, exp.Dot) and isinstance(projection.expression, exp.Star):
                raise UnknownNames("a row's fields (r.*)")
            else:
                names.append(UNNAMED)
        return names

    def star(self, select: exp.Select, depth: int) -> Names:
        """The columns of every relation in FROM, in order; a join USING puts its columns first,
        named as the USING clause spells them, then the other columns of either side."""
        names = self.source(_from(select), depth)
        for join in select.args.get("joins") or ():
            right = self.source(_joined(join), depth)
            using = join.args.get("using")
            if not using:
                names = names + right
                continue
            if None in names or None in right:
                raise UnknownNames("a join USING of a stored table's columns")  # which are k?
            spelled = [column.name for column in using]
            keys = {name.lower() for name in spelled}
            names = [
                *spelled,
                *(n for n in names if (n or "").lower() not in keys),
                *(n for n in right if (n or "").lower() not in keys),
            ]
        return names

    def source(self, source: exp.Expr, depth: int) -> Names:
        listed = _alias_columns(source)
        if isinstance(source, exp.Values) and listed is not None and self._generated(source):
            listed = [UNNAMED] * len(listed)
        if isinstance(source, exp.Unnest):
            return self.unnest(source, listed)
        if listed is not None:
            return listed
        if isinstance(source, exp.Subquery):
            return self.query(source.this, depth + 1)
        if isinstance(source, exp.Values):
            return self.values(source)
        if isinstance(source, exp.Table):
            return self.table(source, depth)
        raise UnknownNames(type(source).__name__)

    def _generated(self, values: exp.Values) -> bool:
        return self.generated_values and _generated(values.args["alias"].columns)

    def unnest(self, unnest: exp.Unnest, listed: Names | None) -> Names:
        if listed is None:
            raise UnknownNames("UNNEST without column names")
        offset = unnest.args.get("offset")
        if not offset:
            return listed
        if not isinstance(offset, exp.Identifier):
            raise UnknownNames("WITH ORDINALITY without a name")
        return [*listed, offset.name]

    def values(self, values: exp.Values) -> Names:
        rows = values.expressions
        if not rows:
            raise UnknownNames("VALUES without rows")
        first = rows[0]
        return [UNNAMED] * (len(first.expressions) if isinstance(first, exp.Tuple) else 1)

    def table(self, table: exp.Table, depth: int) -> Names:
        if not isinstance(table.this, exp.Identifier):
            raise UnknownNames("a table function")
        if not table.args.get("db"):
            cte = self.cte(table, depth)
            if cte is not None:
                return cte
        names = self.relation_names(table)
        if names is None:
            raise UnknownNames(f"relation {table.name}")
        return list(names)

    def cte(self, table: exp.Table, depth: int) -> Names | None:
        name = table.name.lower()
        for scope in _ancestors(table):
            with_ = scope.args.get("with_")
            if not isinstance(with_, exp.With):
                continue
            for cte in with_.expressions:
                if cte.alias.lower() != name:
                    continue
                if any(found is table for found in cte.this.find_all(exp.Table)):
                    raise UnknownNames("a recursive CTE's reference to itself")
                listed = _alias_columns(cte)
                return listed if listed is not None else self.query(cte.this, depth + 1)
        return None


def _ancestors(node: exp.Expr) -> list[exp.Expr]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def _plain_star(star: exp.Star) -> None:
    if any(star.args.get(key) for key in _STAR_MODIFIERS):
        raise UnknownNames("a star with modifiers")


def _alias_columns(source: exp.Expr) -> Names | None:
    alias = source.args.get("alias")
    if not isinstance(alias, exp.TableAlias) or not alias.columns:
        return None
    columns: list[exp.Identifier] = alias.columns
    return [column.name for column in columns]


def _generated(columns: Sequence[exp.Identifier]) -> bool:
    """``_col_0, _col_1, ...``: the names sqlglot's table qualification gives unnamed VALUES."""
    for index, column in enumerate(columns):
        match = _GENERATED_VALUES.match(column.name)
        if column.quoted or match is None or int(match.group(1)) != index:
            return False
    return True


def _from(select: exp.Select) -> exp.Expr:
    from_ = select.args.get("from_")
    if not isinstance(from_, exp.From):
        raise UnknownNames("a star without FROM")
    if select.args.get("laterals") or isinstance(from_.this, exp.Lateral):
        raise UnknownNames("LATERAL")
    source: exp.Expr = from_.this
    return source


def _joined(join: exp.Join) -> exp.Expr:
    if join.args.get("method") or isinstance(join.this, exp.Lateral):
        raise UnknownNames("a NATURAL or LATERAL join")
    source: exp.Expr = join.this
    return source


def _sources(select: exp.Select) -> list[exp.Expr]:
    """The relations in FROM, for ``t.*`` (which is refused over a join USING)."""
    joins = select.args.get("joins") or ()
    if any(join.args.get("using") for join in joins):
        raise UnknownNames("t.* over a join USING")
    return [_from(select), *(_joined(join) for join in joins)]


def _source_named(select: exp.Select, name: str) -> exp.Expr:
    wanted = name.lower()
    found = [s for s in _sources(select) if s.alias_or_name.lower() == wanted]
    if len(found) != 1:
        raise UnknownNames(f"relation {name}")
    return found[0]
