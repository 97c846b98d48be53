"""Every ``X-Trino-*`` (or legacy ``X-Presto-*``) header, and the client session they carry.

Trino renamed the ``X-Presto-`` headers to ``X-Trino-`` in release 351; the suffixes are the
same. A request uses one prefix or the other, never both (Trino's ``detectProtocol``), and the
answer echoes the prefix the client used.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import Headers

from gateway.planner.semantics.zones import valid_zone

# Request headers (suffixes after "X-Trino-")
USER = "User"
ORIGINAL_USER = "Original-User"
SOURCE = "Source"
CATALOG = "Catalog"
SCHEMA = "Schema"
PATH = "Path"
TIME_ZONE = "Time-Zone"
#: the session property SET TIME ZONE sets (Trino's SystemSessionProperties.TIME_ZONE_ID)
TIME_ZONE_PROPERTY = "time_zone_id"
LANGUAGE = "Language"
TRACE_TOKEN = "Trace-Token"  # noqa: S105 - a header name
SESSION = "Session"
ROLE = "Role"
PREPARED_STATEMENT = "Prepared-Statement"
TRANSACTION_ID = "Transaction-Id"
CLIENT_INFO = "Client-Info"
CLIENT_TAGS = "Client-Tags"
CLIENT_CAPABILITIES = "Client-Capabilities"
RESOURCE_ESTIMATE = "Resource-Estimate"
EXTRA_CREDENTIAL = "Extra-Credential"
QUERY_DATA_ENCODING = "Query-Data-Encoding"
# Response headers
SET_CATALOG = "Set-Catalog"
SET_SCHEMA = "Set-Schema"
SET_PATH = "Set-Path"
SET_SESSION = "Set-Session"
CLEAR_SESSION = "Clear-Session"
SET_ROLE = "Set-Role"
ADDED_PREPARE = "Added-Prepare"
DEALLOCATED_PREPARE = "Deallocated-Prepare"
STARTED_TRANSACTION_ID = "Started-Transaction-Id"
CLEAR_TRANSACTION_ID = "Clear-Transaction-Id"
SET_AUTHORIZATION_USER = "Set-Authorization-User"
RESET_AUTHORIZATION_USER = "Reset-Authorization-User"

NO_TRANSACTION = "NONE"
PARAMETRIC_DATETIME = "PARAMETRIC_DATETIME"
_NAME = re.compile(r"^[^\x00-\x1f\x7f]+$")
_PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_MAX_NAME = 128


class HeaderError(Exception):
    """A request header the protocol cannot accept; answered 400 with the message as text."""


@dataclass(frozen=True, slots=True)
class Protocol:
    """The header names of one prefix: ``Protocol("Trino").header(USER) == "X-Trino-User"``."""

    name: str

    def header(self, suffix: str) -> str:
        return f"X-{self.name}-{suffix}"


TRINO = Protocol("Trino")
PRESTO = Protocol("Presto")


def detect_protocol(header_names: Iterable[str]) -> Protocol:
    names = [n.lower() for n in header_names]
    presto = any(n.startswith("x-presto-") for n in names)
    if not presto:
        return TRINO
    if any(n.startswith("x-trino-") for n in names):
        raise HeaderError("Both Trino and Presto headers detected")
    return PRESTO


@dataclass(frozen=True, slots=True)
class ClientSession:
    """What the client's headers say about its session (everything but credentials)."""

    user: str | None
    original_user: str | None = None
    source: str | None = None
    catalog: str | None = None
    schema: str | None = None
    path: str | None = None
    time_zone: str | None = None
    language: str | None = None
    trace_token: str | None = None
    client_info: str | None = None
    client_tags: tuple[str, ...] = ()
    client_capabilities: frozenset[str] = frozenset()
    properties: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    prepared_statements: dict[str, str] = field(default_factory=dict)
    transaction_id: str | None = None
    #: a routing group the client asked for (X-Trino-Routing-Group, as trino-gateway reads it)
    routing_group: str | None = None


def _single(headers: Headers, protocol: Protocol, suffix: str) -> str | None:
    values = headers.getlist(protocol.header(suffix))
    if not values:
        return None
    value = values[-1].strip()
    return value or None


def _items(headers: Headers, protocol: Protocol, suffix: str) -> list[str]:
    """A comma-separated header that may also be repeated (one entry per line)."""
    out: list[str] = []
    for line in headers.getlist(protocol.header(suffix)):
        out.extend(part.strip() for part in line.split(",") if part.strip())
    return out


def _pairs(headers: Headers, protocol: Protocol, suffix: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in _items(headers, protocol, suffix):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise HeaderError(f"Invalid {protocol.header(suffix)} header: expected name=value")
        pairs[urllib.parse.unquote_plus(name.strip())] = urllib.parse.unquote_plus(value.strip())
    return pairs


def _name(headers: Headers, protocol: Protocol, suffix: str) -> str | None:
    value = _single(headers, protocol, suffix)
    if value is not None and (len(value) > _MAX_NAME or not _NAME.match(value)):
        raise HeaderError(f"Invalid {protocol.header(suffix)} header: not a name")
    return value


def parse_session(headers: Headers, protocol: Protocol) -> ClientSession:
    """Read the client session from the request headers; HeaderError if one is malformed."""
    properties = _pairs(headers, protocol, SESSION)
    for name in properties:
        if not _PROPERTY.match(name):
            raise HeaderError(f"Invalid session property name: {name[:_MAX_NAME]!r}")
    catalog = _name(headers, protocol, CATALOG)
    schema = _name(headers, protocol, SCHEMA)
    if schema is not None and catalog is None:
        raise HeaderError(f"{protocol.header(SCHEMA)} requires {protocol.header(CATALOG)} to be set too")
    transaction = _single(headers, protocol, TRANSACTION_ID)
    # SET TIME ZONE travels back as the session property time_zone_id, which wins over the header
    time_zone = properties.get(TIME_ZONE_PROPERTY) or _single(headers, protocol, TIME_ZONE)
    if time_zone is not None and not valid_zone(time_zone):
        raise HeaderError(f"Time zone not supported: {time_zone[:_MAX_NAME]}")
    return ClientSession(
        user=_single(headers, protocol, USER),
        original_user=_single(headers, protocol, ORIGINAL_USER),
        source=_single(headers, protocol, SOURCE),
        catalog=catalog,
        schema=schema,
        path=_single(headers, protocol, PATH),
        time_zone=time_zone,
        language=_single(headers, protocol, LANGUAGE),
        trace_token=_single(headers, protocol, TRACE_TOKEN),
        client_info=_single(headers, protocol, CLIENT_INFO),
        client_tags=tuple(_items(headers, protocol, CLIENT_TAGS)),
        client_capabilities=frozenset(_items(headers, protocol, CLIENT_CAPABILITIES)),
        properties=properties,
        roles=_pairs(headers, protocol, ROLE),
        prepared_statements=_pairs(headers, protocol, PREPARED_STATEMENT),
        transaction_id=None if transaction in (None, NO_TRANSACTION) else transaction,
        routing_group=headers.get("X-Trino-Routing-Group") or None,
    )


@dataclass(slots=True)
class SessionUpdates:
    """What a statement changes in the client's session, sent back as response headers."""

    set_catalog: str | None = None
    set_schema: str | None = None
    set_session: dict[str, str] = field(default_factory=dict)
    clear_session: list[str] = field(default_factory=list)
    added_prepare: dict[str, str] = field(default_factory=dict)
    deallocated_prepare: list[str] = field(default_factory=list)
    started_transaction_id: str | None = None
    clear_transaction_id: bool = False

    def headers(self, protocol: Protocol) -> list[tuple[str, str]]:
        """One header line per entry, as Trino sends them (clients also split on commas)."""
        out: list[tuple[str, str]] = []
        if self.set_catalog is not None:
            out.append((protocol.header(SET_CATALOG), self.set_catalog))
        if self.set_schema is not None:
            out.append((protocol.header(SET_SCHEMA), self.set_schema))
        for name, value in self.set_session.items():
            out.append((protocol.header(SET_SESSION), f"{name}={urllib.parse.quote_plus(value)}"))
        for name in self.clear_session:
            out.append((protocol.header(CLEAR_SESSION), name))
        for name, sql in self.added_prepare.items():
            encoded = f"{urllib.parse.quote_plus(name)}={urllib.parse.quote_plus(sql)}"
            out.append((protocol.header(ADDED_PREPARE), encoded))
        for name in self.deallocated_prepare:
            out.append((protocol.header(DEALLOCATED_PREPARE), urllib.parse.quote_plus(name)))
        if self.started_transaction_id is not None:
            out.append((protocol.header(STARTED_TRANSACTION_ID), self.started_transaction_id))
        if self.clear_transaction_id:
            out.append((protocol.header(CLEAR_TRANSACTION_ID), "true"))
        return out


def header_bytes(raw_headers: Iterable[tuple[bytes, bytes]]) -> int:
    """The size of a request's headers as sent (names, values and the ': ' and CRLF)."""
    return sum(len(name) + len(value) + 4 for name, value in raw_headers)
