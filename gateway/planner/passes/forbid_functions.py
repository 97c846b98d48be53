"""Refuse engine functions that reach outside the catalogs: files, URLs, settings, other databases."""

from __future__ import annotations

import re

from sqlglot import exp

from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryContext

_FORBIDDEN = re.compile(
    r"""^(
        read_\w+ | sniff_csv | glob | parquet_\w+ | iceberg_\w+ | delta_\w+ | \w+_scan | \w+_query
      | \w+_attach | \w+_execute | query | query_table | getenv | current_setting | getvariable
      | set_variable | duckdb_\w+ | pragma_\w+ | postgres_\w+ | sqlite_\w+ | mysql_\w+ | which_secret
      | load_\w+ | install_\w+ | checkpoint | force_checkpoint | enable_\w+ | disable_\w+
      | json_execute_serialized_sql | sql_auto_complete | summary | test_all_types | range_files
      | current_database | current_catalog | current_schemas? | current_query | file_\w+
      | url_\w+ | http_\w+ | httpfs_\w+ | s3_\w+ | gcs_\w+ | azure_\w+ | ducklake_\w+ | tpch\w* | tpcds\w*
      | dbgen | dsdgen | repeat_row | columns | unpack
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name)
    return node.sql_name()


def forbid_functions(ctx: QueryContext) -> QueryContext:
    if ctx.done:
        return ctx
    assert ctx.tree is not None
    for node in ctx.tree.find_all(exp.Func):
        name = function_name(node)
        if _FORBIDDEN.match(name) or isinstance(node, exp.ReadCSV):
            raise LakegateError(
                ErrorCode.FUNCTION_NOT_ALLOWED,
                f"function {name.lower()}() is not allowed: it reaches outside Lakegate's catalogs",
            )
    return ctx
