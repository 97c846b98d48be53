"""May a user read a stored query's text? Only when every relation it names is one they may see.

A view's defining SQL (or a dataset's, or a registered query's) names its sources; showing it to
someone who may not see one of them tells them that table exists and how it is used. Closed
world: SQL that cannot be parsed, or names something that is not a plain table name, is not
shown either.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from auth.authorizer import Authorizer
from auth.identity import Identity


def sql_is_visible(
    authorizer: Authorizer | None,
    identity: Identity,
    sql: str,
    default_catalog: str | None,
    default_schema: str | None,
) -> bool:
    """True when ``identity`` may see every relation ``sql`` names (unqualified names resolve in
    ``default_catalog``/``default_schema``, as a view's own do). Without policies: always."""
    if authorizer is None or authorizer.is_admin(identity):
        return True
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except SqlglotError:
        return False
    if not statements:
        return False
    for statement in statements:
        ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                return False  # a table function, a string path: not provably a visible relation
            name = table.name
            if not table.db and name.lower() in ctes:
                continue
            catalog = table.catalog or default_catalog
            schema = table.db or default_schema
            if catalog is None or schema is None:
                return False
            if not authorizer.can_see(identity, catalog.lower(), schema, name):
                return False
    return True
