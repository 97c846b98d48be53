"""Statements the Trino door answers itself: session, transactions, prepared statements, kill.

They change what the client keeps (its catalog and schema, session properties, prepared
statements, transaction id), which travels back in ``X-Trino-*`` response headers; none of them
reaches an engine. ``EXECUTE`` binds its parameters and hands the statement back to be run.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

import pyarrow as pa
import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import SqlglotError

from gateway.errors import ErrorCode, LakegateError, syntax_error
from gateway.frontdoors.trino import parameters
from gateway.frontdoors.trino.errors import (
    INVALID_FUNCTION_ARGUMENT,
    INVALID_SESSION_PROPERTY,
    NOT_FOUND,
    NOT_IN_TRANSACTION,
    NOT_SUPPORTED,
    door_error,
)
from gateway.frontdoors.trino.headers import TIME_ZONE_PROPERTY, ClientSession, SessionUpdates
from gateway.frontdoors.trino.listing import Listing
from gateway.frontdoors.trino.rewrite import INFORMATION_SCHEMA, SYSTEM, SYSTEM_SCHEMAS
from gateway.planner.functions_listing import show_functions
from gateway.planner.semantics.zones import valid_zone
from gateway.planner.sql_names import IDENT, fold_identifier, like_pattern

_LEADING = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_IDENT = IDENT
_END = r"\s*;?\s*$"
_PATTERNS = {
    "USE": re.compile(rf"^USE\s+(?P<first>{_IDENT})(?:\s*\.\s*(?P<second>{_IDENT}))?{_END}", re.I | re.S),
    "SET SESSION": re.compile(
        rf"^SET\s+SESSION\s+(?P<name>{_IDENT}(?:\s*\.\s*{_IDENT})?)\s*=\s*(?P<value>.+?){_END}", re.I | re.S
    ),
    "SET TIME ZONE": re.compile(
        rf"^SET\s+TIME\s+ZONE\s+(?:(?P<local>LOCAL)|'(?P<zone>[^']*)'|(?P<other>.+?)){_END}", re.I | re.S
    ),
    "RESET SESSION": re.compile(
        rf"^RESET\s+SESSION\s+(?P<name>{_IDENT}(?:\s*\.\s*{_IDENT})?){_END}", re.I | re.S
    ),
    "START TRANSACTION": re.compile(rf"^START\s+TRANSACTION\b(?P<modes>[^;]*){_END}", re.I | re.S),
    "COMMIT": re.compile(rf"^COMMIT(?:\s+WORK)?{_END}", re.I),
    "ROLLBACK": re.compile(rf"^ROLLBACK(?:\s+WORK)?{_END}", re.I),
    "PREPARE": re.compile(rf"^PREPARE\s+(?P<name>{_IDENT})\s+FROM\s+(?P<sql>.+?){_END}", re.I | re.S),
    "EXECUTE IMMEDIATE": re.compile(r"^EXECUTE\s+IMMEDIATE\s+(?P<rest>.+?)\s*;?\s*$", re.I | re.S),
    "EXECUTE": re.compile(
        rf"^EXECUTE\s+(?P<name>{_IDENT})(?:\s+USING\s+(?P<params>.+?))?{_END}", re.I | re.S
    ),
    "DEALLOCATE": re.compile(rf"^DEALLOCATE\s+PREPARE\s+(?P<name>{_IDENT}){_END}", re.I | re.S),
    "DESCRIBE OUTPUT": re.compile(rf"^DESCRIBE\s+OUTPUT\s+(?P<name>{_IDENT}){_END}", re.I | re.S),
    "DESCRIBE INPUT": re.compile(rf"^DESCRIBE\s+INPUT\s+(?P<name>{_IDENT}){_END}", re.I | re.S),
    "CALL": re.compile(r"^CALL\s+(?P<procedure>[^(\s]+)\s*\((?P<args>.*)\)\s*;?\s*$", re.I | re.S),
    "SHOW SESSION": re.compile(rf"^SHOW\s+SESSION(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?{_END}", re.I | re.S),
    "SHOW FUNCTIONS": re.compile(
        rf"^SHOW\s+FUNCTIONS(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?{_END}", re.I | re.S
    ),
    "SHOW CREATE TABLE": re.compile(
        rf"^SHOW\s+CREATE\s+TABLE\s+(?P<name>{_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}}){_END}", re.I | re.S
    ),
}
KILL_QUERY = "system.runtime.kill_query"


def strip_leading(sql: str) -> str:
    """The statement without leading whitespace and comments."""
    return sql[_LEADING.match(sql).end() :]  # type: ignore[union-attr]


identifier = fold_identifier


def _dotted(text: str) -> str:
    return ".".join(identifier(p) for p in re.findall(_IDENT, text))


@dataclass(slots=True)
class Outcome:
    """What a door statement produced: an update (headers), a small table, or SQL to run."""

    update_type: str | None = None
    updates: SessionUpdates = field(default_factory=SessionUpdates)
    table: pa.Table | None = None
    #: EXECUTE: the bound statement to run as a query
    run: exp.Expr | None = None
    #: DESCRIBE OUTPUT: the prepared statement (parameters as NULL) whose columns to describe
    describe: exp.Expr | None = None
    #: CALL kill_query: the query to kill and the message
    kill: tuple[str, str] | None = None


def classify(sql: str) -> tuple[str, re.Match[str]] | None:
    text = strip_leading(sql)
    head = text[:20].upper()
    if not head.startswith(
        (
            "USE",
            "SET",
            "RESET",
            "START",
            "COMMIT",
            "ROLLBACK",
            "PREPARE",
            "EXECUTE",
            "DEALLOCATE",
            "DESCRIBE",
            "CALL",
            "SHOW",
        )
    ):
        return None
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if match:
            return kind, match
    return None


def _prepared(session: ClientSession, name: str) -> str:
    sql = session.prepared_statements.get(name)
    if sql is None:
        raise door_error(NOT_FOUND, f"Prepared statement not found: {name}")
    return sql


def _use(match: re.Match[str], session: ClientSession, listing: Listing) -> Outcome:
    first, second = match.group("first"), match.group("second")
    if second is None:
        if session.catalog is None:
            raise LakegateError(
                ErrorCode.CATALOG_NOT_FOUND, "Catalog must be specified when session catalog is not set"
            )
        catalog, schema = session.catalog, identifier(first)
    else:
        catalog, schema = identifier(first), identifier(second)
    if catalog.lower() == SYSTEM:
        real = schema.lower() if schema.lower() in (*SYSTEM_SCHEMAS, INFORMATION_SCHEMA) else None
        catalog = SYSTEM
    else:
        info = listing.catalog(catalog)
        if info is None:
            raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"Catalog '{catalog}' not found")
        catalog = info.name
        real = (
            INFORMATION_SCHEMA
            if schema.lower() == INFORMATION_SCHEMA
            else listing.schema_name(catalog, schema)
        )
    if real is None:
        raise LakegateError(ErrorCode.SCHEMA_NOT_FOUND, f"Schema does not exist: {catalog}.{schema}")
    return Outcome("USE", SessionUpdates(set_catalog=catalog, set_schema=real))


def _session_value(text: str) -> str:
    try:
        value = sqlglot.parse_one(f"SELECT {text}", read="trino")
    except SqlglotError:
        raise syntax_error("SET SESSION needs a constant value") from None
    expressions = value.expressions if isinstance(value, exp.Select) else []
    if len(expressions) != 1:
        raise syntax_error("SET SESSION needs a constant value")
    node = expressions[0]
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}"
    raise door_error(INVALID_SESSION_PROPERTY, "Session property values must be constants")


def _immediate(rest: str) -> tuple[str, str | None]:
    """``'<sql>' [USING <params>]`` -> (sql, params text)."""
    try:
        tokens = sqlglot.tokenize(rest, read="trino")
    except SqlglotError:
        raise syntax_error("EXECUTE IMMEDIATE takes a string literal") from None
    if not tokens or tokens[0].token_type != TokenType.STRING:
        raise syntax_error("EXECUTE IMMEDIATE takes a string literal")
    if len(tokens) == 1:
        return tokens[0].text, None
    if tokens[1].token_type != TokenType.USING:
        raise syntax_error("expected USING after the statement of EXECUTE IMMEDIATE")
    return tokens[0].text, rest[tokens[1].end + 1 :]


def _kill_arguments(args: str) -> tuple[str, str]:
    named = dict(re.findall(r"(\w+)\s*=>\s*'((?:[^']|'')*)'", args))
    if named:
        query_id, message = named.get("query_id"), named.get("message", "")
    else:
        strings = re.findall(r"'((?:[^']|'')*)'", args)
        query_id = strings[0] if strings else None
        message = strings[1] if len(strings) > 1 else ""
    if not query_id:
        raise syntax_error("kill_query needs query_id => '<query id>'")
    return query_id.replace("''", "'"), message.replace("''", "'")


def _show_create_table(name: str, session: ClientSession, listing: Listing) -> pa.Table:
    parts = [identifier(p) for p in re.findall(_IDENT, name)]
    catalog, schema = session.catalog, session.schema
    if len(parts) == 3:
        catalog, schema = parts[0], parts[1]
    elif len(parts) == 2:
        schema = parts[0]
    if catalog is None or schema is None:
        raise LakegateError(
            ErrorCode.SCHEMA_NOT_FOUND, "the table name needs a schema (and the session a catalog)"
        )
    info = listing.table(catalog, schema, parts[-1])
    if info is None:
        raise LakegateError(
            ErrorCode.TABLE_NOT_FOUND, f"Table '{catalog}.{schema}.{parts[-1]}' does not exist"
        )

    def quoted(text: str) -> str:
        return exp.to_identifier(text).sql(dialect="trino")

    def literal(text: str) -> str:
        return exp.Literal.string(text).sql(dialect="trino")

    lines = []
    for column in info.columns:
        comment = f" COMMENT {literal(column.comment)}" if column.comment else ""
        lines.append(f"   {quoted(column.name)} {column.type}{comment}")
    text = f"CREATE TABLE {quoted(info.catalog)}.{quoted(info.schema)}.{quoted(info.name)} (\n"
    text += ",\n".join(lines) + "\n)"
    if info.comment:
        text += f"\nCOMMENT {literal(info.comment)}"
    return pa.table({"Create Table": pa.array([text], pa.string())})


def _describe_input(sql: str) -> pa.Table:
    count = parameters.count_parameters(sql)
    return pa.table(
        {
            "Position": pa.array(range(count), pa.int64()),
            "Type": pa.array(["unknown"] * count, pa.string()),
        }
    )


def _show_session(session: ClientSession, like: str | None) -> pa.Table:
    names = sorted(session.properties)
    pattern = like_pattern(like)
    if pattern is not None:
        names = [n for n in names if pattern.fullmatch(n)]
    values = [session.properties[n] for n in names]
    return pa.table(
        {
            "Name": pa.array(names, pa.string()),
            "Value": pa.array(values, pa.string()),
            "Default": pa.array([""] * len(names), pa.string()),
            "Type": pa.array(["varchar"] * len(names), pa.string()),
            "Description": pa.array(
                ["set by the client (Lakegate does not act on it)"] * len(names), pa.string()
            ),
        }
    )


def _set_time_zone(match: re.Match[str]) -> Outcome:
    """SET TIME ZONE LOCAL | 'zone': the session property Trino sets (an interval is refused)."""
    if match.group("local"):
        return Outcome("SET TIME ZONE", SessionUpdates(clear_session=[TIME_ZONE_PROPERTY]))
    zone = match.group("zone")
    if zone is None:
        raise door_error(NOT_SUPPORTED, "SET TIME ZONE takes LOCAL or a zone name in quotes")
    if not valid_zone(zone):
        raise door_error(INVALID_FUNCTION_ARGUMENT, f"Time zone not supported: {zone[:100]}")
    return Outcome("SET TIME ZONE", SessionUpdates(set_session={TIME_ZONE_PROPERTY: zone}))


def answer(kind: str, match: re.Match[str], session: ClientSession, listing: Listing) -> Outcome:
    """Carry out a door statement; LakegateError when it is wrong."""
    if kind == "USE":
        return _use(match, session, listing)
    if kind == "SET SESSION":
        name = _dotted(match.group("name"))
        return Outcome(
            "SET SESSION", SessionUpdates(set_session={name: _session_value(match.group("value"))})
        )
    if kind == "SET TIME ZONE":
        return _set_time_zone(match)
    if kind == "RESET SESSION":
        return Outcome("RESET SESSION", SessionUpdates(clear_session=[_dotted(match.group("name"))]))
    if kind == "START TRANSACTION":
        # Lakegate reads only; a transaction is a no-op that clients can still open and close.
        transaction = f"lakegate-{secrets.token_hex(8)}"
        return Outcome("START TRANSACTION", SessionUpdates(started_transaction_id=transaction))
    if kind in ("COMMIT", "ROLLBACK"):
        if session.transaction_id is None:
            raise door_error(NOT_IN_TRANSACTION, "No transaction in progress")
        return Outcome(kind, SessionUpdates(clear_transaction_id=True))
    if kind == "PREPARE":
        name, sql = identifier(match.group("name")), match.group("sql")
        parameters.without_parameters(sql)  # a statement that does not parse is refused now
        return Outcome("PREPARE", SessionUpdates(added_prepare={name: sql}))
    if kind == "DEALLOCATE":
        name = identifier(match.group("name"))
        _prepared(session, name)
        return Outcome("DEALLOCATE", SessionUpdates(deallocated_prepare=[name]))
    if kind == "EXECUTE IMMEDIATE":
        sql, params = _immediate(match.group("rest"))
        return Outcome(run=parameters.bind(sql, parameters.parse_parameters(params)))
    if kind == "EXECUTE":
        sql = _prepared(session, identifier(match.group("name")))
        return Outcome(run=parameters.bind(sql, parameters.parse_parameters(match.group("params"))))
    if kind == "DESCRIBE INPUT":
        return Outcome(table=_describe_input(_prepared(session, identifier(match.group("name")))))
    if kind == "DESCRIBE OUTPUT":
        sql = _prepared(session, identifier(match.group("name")))
        return Outcome(describe=parameters.without_parameters(sql))
    if kind == "SHOW SESSION":
        return Outcome(table=_show_session(session, match.group("like")))
    if kind == "SHOW FUNCTIONS":  # the functions Lakegate runs as Trino does
        return Outcome(table=show_functions(like_pattern(match.group("like"), None)))
    if kind == "SHOW CREATE TABLE":
        return Outcome(table=_show_create_table(match.group("name"), session, listing))
    assert kind == "CALL"
    if _dotted(match.group("procedure")) != KILL_QUERY:
        raise door_error(NOT_SUPPORTED, f"Procedure not supported: {match.group('procedure')[:200]}")
    return Outcome("CALL", kill=_kill_arguments(match.group("args")))
