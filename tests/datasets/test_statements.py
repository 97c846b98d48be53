"""Reading the Trino statements that define datasets (no server)."""

from __future__ import annotations

import pytest

from gateway.datasets.model import Kind, Security
from gateway.datasets.statements import (
    CommentDataset,
    CreateDataset,
    DropDataset,
    Name,
    RefreshDataset,
    RenameDataset,
    ShowCreate,
    read_statement,
)
from gateway.errors import ErrorCode, LakegateError


def test_create_view_with_comment_security_and_columns() -> None:
    statement = read_statement(
        "CREATE OR REPLACE VIEW Workspace.Ada.V (x COMMENT 'the x', y) COMMENT 'hi' SECURITY INVOKER "
        "AS SELECT 1, 2",
        None,
        None,
    )
    assert statement == CreateDataset(
        Kind.VIEW,
        Name("workspace", "ada", "v"),
        "SELECT 1, 2",
        replace=True,
        security=Security.INVOKER,
        comment="hi",
        columns=("x", "y"),
        column_comments=(("x", "the x"),),
    )


def test_names_complete_from_the_session() -> None:
    statement = read_statement("CREATE TABLE IF NOT EXISTS t AS SELECT 1 AS a", "workspace", "ada")
    assert isinstance(statement, CreateDataset)
    assert statement.target == Name("workspace", "ada", "t")
    assert statement.if_not_exists
    assert statement.security is Security.DEFINER
    with pytest.raises(LakegateError) as missing:
        read_statement("CREATE VIEW v AS SELECT 1 AS a", None, None)
    assert missing.value.code is ErrorCode.STATEMENT_NOT_ALLOWED
    with pytest.raises(LakegateError) as no_schema:
        read_statement("CREATE VIEW v AS SELECT 1 AS a", "workspace", None)
    assert no_schema.value.code is ErrorCode.SCHEMA_NOT_FOUND


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("DROP VIEW IF EXISTS w.s.v", DropDataset(Kind.VIEW, Name("w", "s", "v"), True)),
        ("DROP TABLE w.s.t", DropDataset(Kind.TABLE, Name("w", "s", "t"))),
        (
            "ALTER VIEW w.s.v RENAME TO v2",
            RenameDataset(Kind.VIEW, Name("w", "s", "v"), Name("w", "s", "v2")),
        ),
        (
            "ALTER TABLE w.s.t RENAME TO other.t2",
            RenameDataset(Kind.TABLE, Name("w", "s", "t"), Name("w", "other", "t2")),
        ),
        ("COMMENT ON TABLE w.s.t IS 'x'", CommentDataset("TABLE", Name("w", "s", "t"), None, "x")),
        ("COMMENT ON VIEW w.s.v IS NULL", CommentDataset("VIEW", Name("w", "s", "v"), None, None)),
        ("COMMENT ON COLUMN s.t.c IS 'y'", CommentDataset("COLUMN", Name("w", "s", "t"), "c", "y")),
        ("SHOW CREATE VIEW v", ShowCreate(Kind.VIEW, Name("w", "s", "v"))),
        ("REFRESH MATERIALIZED VIEW t", RefreshDataset(Name("w", "s", "t"))),
    ],
)
def test_other_statements(sql: str, expected: object) -> None:
    assert read_statement(sql, "w", "s") == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "CREATE SCHEMA w.s",
        "INSERT INTO w.s.t SELECT 1",
        "DROP TABLE a.b.c, a.b.d",
        "ALTER TABLE w.s.t ADD COLUMN c int",
        "WITH x AS (SELECT 1) SELECT * FROM x",
    ],
)
def test_not_dataset_statements_go_to_the_planner(sql: str) -> None:
    assert read_statement(sql, "w", "s") is None


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("CREATE TABLE w.s.t (a int)", ErrorCode.NOT_SUPPORTED),
        ("CREATE TABLE w.s.t WITH (format = 'ORC') AS SELECT 1 AS a", ErrorCode.NOT_SUPPORTED),
        ('CREATE VIEW w.s."../etc" AS SELECT 1 AS a', ErrorCode.SQL_SYNTAX_ERROR),
        ('CREATE VIEW w."a b".v AS SELECT 1 AS a', ErrorCode.SQL_SYNTAX_ERROR),
    ],
)
def test_refused_shapes(sql: str, code: ErrorCode) -> None:
    with pytest.raises(LakegateError) as refused:
        read_statement(sql, "w", "s")
    assert refused.value.code is code
