"""Bind ``?`` parameters as literals into a statement: tree nodes replace placeholder nodes.

The ``?`` marks are found by sqlglot's tokenizer (so a ``?`` inside a string or a comment is
not one), in the order they appear in the text; the parameters are parsed as expressions,
checked to be constants, and put in place of the placeholders in the parsed tree. Values never
become part of SQL text by concatenation.
"""

from __future__ import annotations

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import SqlglotError

from gateway.errors import syntax_error
from gateway.frontdoors.trino.errors import INVALID_PARAMETER_USAGE, door_error
from gateway.planner.passes.trino_literals import pin_decimal_literals

_MARKER = "lgparam"


def parse_statement(sql: str) -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except SqlglotError as exc:
        raise syntax_error(f"syntax error: {str(exc).splitlines()[0][:300]}") from None
    if len(statements) != 1:
        raise syntax_error("expected exactly one statement")
    return pin_decimal_literals(statements[0])


def placeholder_positions(sql: str) -> list[int]:
    """Where each ``?`` parameter mark starts in ``sql``."""
    try:
        tokens = sqlglot.tokenize(sql, read="trino")
    except SqlglotError as exc:
        raise syntax_error(f"syntax error: {str(exc).splitlines()[0][:300]}") from None
    return [t.start for t in tokens if t.token_type == TokenType.PLACEHOLDER]


def count_parameters(sql: str) -> int:
    return len(placeholder_positions(sql))


def _check_constant(expression: exp.Expr) -> exp.Expr:
    for node in expression.walk():
        if isinstance(node, exp.Column | exp.Star | exp.Query | exp.Table | exp.Placeholder):
            raise door_error(INVALID_PARAMETER_USAGE, "parameters must be constant expressions")
    return expression


def parse_parameters(text: str | None) -> list[exp.Expr]:
    """The expressions of an ``EXECUTE ... USING`` list (text after USING)."""
    if text is None or not text.strip():
        return []
    try:
        parsed = sqlglot.parse_one(f"SELECT {text}", read="trino")
    except SqlglotError:
        raise syntax_error("the USING list of EXECUTE must be comma-separated expressions") from None
    if not isinstance(parsed, exp.Select) or any(
        parsed.args.get(key)
        for key in ("from_", "from", "where", "group", "having", "order", "limit", "joins")
    ):
        raise syntax_error("the USING list of EXECUTE must be comma-separated expressions")
    pin_decimal_literals(parsed)
    return [_check_constant(e.unalias() if isinstance(e, exp.Alias) else e) for e in parsed.expressions]


def bind(sql: str, parameters: list[exp.Expr]) -> exp.Expr:
    """The statement with every ``?`` replaced by its parameter, as a tree."""
    positions = placeholder_positions(sql)
    if len(positions) != len(parameters):
        raise door_error(
            INVALID_PARAMETER_USAGE,
            f"Incorrect number of parameters: expected {len(positions)} but found {len(parameters)}",
        )
    if not positions:
        return parse_statement(sql)
    pieces: list[str] = []
    last = 0
    for index, position in enumerate(positions):
        pieces.append(sql[last:position])
        pieces.append(f":{_MARKER}{index}")  # a fixed marker, never a value
        last = position + 1
    pieces.append(sql[last:])
    tree = parse_statement("".join(pieces))
    by_name = {f"{_MARKER}{i}": p for i, p in enumerate(parameters)}
    found = 0
    for node in list(tree.find_all(exp.Placeholder)):
        value = by_name.get(str(node.name))
        if value is None:
            continue
        node.replace(value.copy())
        found += 1
    if found != len(parameters):
        raise door_error(INVALID_PARAMETER_USAGE, "a parameter is used where a value is not allowed")
    return tree


def without_parameters(sql: str) -> exp.Expr:
    """The statement with every ``?`` as NULL (to learn its output columns)."""
    return bind(sql, [exp.Null() for _ in placeholder_positions(sql)])
