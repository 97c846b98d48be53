"""Trino's URL functions, defined on the embedded DuckDB as macros with Trino's results.

DuckDB has no ``url_extract_*`` functions, and its ``url_encode``/``url_decode`` differ from
Trino's (Trino encodes a space as ``+``, leaves ``*`` alone and escapes ``~``; it decodes ``+``
as a space). Trino parses with ``java.net.URI``: a string that is not a valid URI gives NULL from
every extraction; a component that is absent gives an empty string (the port gives NULL); the path,
query and fragment come back percent-decoded; a host that is not a valid host name (``my_host``)
gives an empty string. The macros follow that, to the examples of Trino's documentation and tests
(tests/connectors/test_trino_functions.py).

They are created in the engine's own in-memory catalog (``memory.main``, ahead of DuckDB's built-in
functions of the same name) before the engine locks its configuration. Users reach them only
through the allowlisted names (auth/enforcement/function_allowlist.py); no other macro is made.
"""

from __future__ import annotations

import duckdb

# RFC 2396, appendix B: 2 scheme, 3 "//authority", 4 authority, 5 path, 7 query, 9 fragment
_URI = r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$"
_HOST_PORT = r"^(\[[^\]]*\]|[^:]*)(:([0-9]*))?$"
_HOST_NAME = (
    r"^(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?"
    r"|[0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]+\])$"
)
# characters java.net.URI accepts anywhere (brackets are checked apart: only in the host)
_ILLEGAL = r"[^A-Za-z0-9\-_.!~*'();/?:@&=+$,%\[\]#\x{80}-\x{10FFFF}]"
_BAD_ESCAPE = r"%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _group(n: int) -> str:
    return f"regexp_extract(url, {_literal(_URI)}, {n})"


_SCHEME = _group(2)
_HAS_AUTHORITY = f"({_group(3)} <> '')"
_PATH = _group(5)
_QUERY = _group(7)
_FRAGMENT = _group(9)
_OPAQUE = f"({_SCHEME} <> '' AND NOT {_HAS_AUTHORITY} AND NOT starts_with({_PATH}, '/'))"
_VALID = (
    f"(NOT regexp_matches(url, {_literal(_ILLEGAL)})"
    f" AND NOT regexp_matches(url, {_literal(_BAD_ESCAPE)})"
    " AND NOT regexp_matches(url, '#.*#')"
    f" AND NOT regexp_matches({_PATH} || {_QUERY} || {_FRAGMENT}, '[\\[\\]]')"
    f" AND ({_SCHEME} = '' OR regexp_matches({_SCHEME}, '^[A-Za-z][A-Za-z0-9+.\\-]*$'))"
    f" AND NOT ({_SCHEME} <> '' AND NOT {_HAS_AUTHORITY} AND {_PATH} = '' AND {_QUERY} = ''))"
)
_HOST_AND_PORT = f"regexp_extract({_group(4)}, '^(?:[^@]*@)?(.*)$', 1)"
_RAW_HOST = f"regexp_extract({_HOST_AND_PORT}, {_literal(_HOST_PORT)}, 1)"
_RAW_PORT = f"regexp_extract({_HOST_AND_PORT}, {_literal(_HOST_PORT)}, 3)"
_HOST_OK = f"({_HAS_AUTHORITY} AND regexp_matches({_RAW_HOST}, {_literal(_HOST_NAME)}))"
_DECODE = "system.main.url_decode"
_ENTRIES = f"('&' || {_group(7)} || '&')"
_WITH_VALUE = f"strpos({_ENTRIES}, '&' || name || '=')"
_WITHOUT_VALUE = f"strpos({_ENTRIES}, '&' || name || '&')"


def _extraction(body: str) -> str:
    return f"CASE WHEN url IS NULL OR NOT {_VALID} THEN NULL ELSE {body} END"


MACROS: dict[str, str] = {
    "url_extract_protocol(url)": _extraction(_SCHEME),
    "url_extract_host(url)": _extraction(f"CASE WHEN {_HOST_OK} THEN {_RAW_HOST} ELSE '' END"),
    "url_extract_port(url)": _extraction(
        f"CASE WHEN {_HOST_OK} AND {_RAW_PORT} <> '' THEN TRY_CAST({_RAW_PORT} AS BIGINT) END"
    ),
    "url_extract_path(url)": _extraction(f"CASE WHEN {_OPAQUE} THEN '' ELSE {_DECODE}({_PATH}) END"),
    "url_extract_query(url)": _extraction(f"CASE WHEN {_OPAQUE} THEN '' ELSE {_DECODE}({_QUERY}) END"),
    "url_extract_fragment(url)": _extraction(f"{_DECODE}({_FRAGMENT})"),
    # the first parameter named ``name`` in the raw query (entries split at &, key at the first =),
    # its value decoded as a form value; a key without = has the value ''
    "url_extract_parameter(url, name)": _extraction(
        f"CASE WHEN {_OPAQUE} OR {_group(6)} = '' OR contains(name, '&') OR contains(name, '=') "
        f"THEN NULL WHEN {_WITH_VALUE} = 0 AND {_WITHOUT_VALUE} = 0 THEN NULL "
        f"WHEN {_WITH_VALUE} = 0 OR ({_WITHOUT_VALUE} > 0 AND {_WITHOUT_VALUE} < {_WITH_VALUE}) THEN '' "
        f"ELSE {_DECODE}(replace(split_part(substr({_ENTRIES}, {_WITH_VALUE} + length(name) + 2), '&', 1), "
        "'+', ' ')) END"
    ),
    # Guava's form-parameter escaper: letters, digits and . - * _ stay, a space becomes +
    "url_encode(value)": (
        "replace(replace(replace(system.main.url_encode(value), '~', '%7E'), '%2A', '*'), '%20', '+')"
    ),
    # java.net.URLDecoder: + is a space; a malformed escape is an error
    "url_decode(value)": (
        f"CASE WHEN regexp_matches(value, {_literal(_BAD_ESCAPE)}) "
        "THEN error('url_decode: the value holds an incomplete or invalid escape (%) pattern') "
        f"ELSE {_DECODE}(replace(value, '+', ' ')) END"
    ),
}

NAMES: tuple[str, ...] = tuple(signature.split("(", 1)[0] for signature in MACROS)


def define(con: duckdb.DuckDBPyConnection) -> None:
    """Create the macros in the connection's default catalog (call before locking it down)."""
    for signature, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE MACRO memory.main.{signature} AS {body}")
