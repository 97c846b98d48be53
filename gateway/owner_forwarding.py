"""A query's follow-ups reach its owner, whichever instance the balancer picked.

A running query lives in the memory of the instance that runs it (its *owner*, named by the
node id at the end of the query id). A request about it that reaches another instance — a Trino
``nextUri`` page, its HEAD or DELETE, the native ``GET`` or ``DELETE /v1/queries/{id}`` — is
forwarded to the owner over HTTP at the address it registered (gateway/instances.py), with the
client's own headers (the owner authenticates the caller itself; its Host, so the owner's
``nextUri`` still names the address the client used) and the response streamed back as it comes.
A forwarded request carries ``X-Lakegate-Forwarded-By``: the instance that receives it answers
it itself, so a request is forwarded once at most.

When the owner is gone (stopped, or its heartbeat stale, or it refuses the connection), its
running queries died with it: a page or a cancel is answered 503 with a problem document that
says so; a status request goes on to this instance, which answers from the shared audit log
when the query had finished, and otherwise with the same clear error. A node id that no instance
ever registered is no query of this cluster: the request is answered here (not found).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.store.backends import StoreError
from gateway.api.problems import PROBLEM_JSON
from gateway.config import ConfigError
from gateway.errors import ErrorCode, LakegateError
from gateway.instances import InstanceDirectory, Owner, owner_of

log = logging.getLogger("lakegate.forwarding")
FORWARDED_BY = "x-lakegate-forwarded-by"
#: on a forwarded response: the node id of the instance that answered it
ANSWERED_BY = "x-lakegate-answered-by"
#: how long another instance may take to answer its part of a list that spans the cluster
ASK_SECONDS = 10.0
#: set in the request's scope when the owner of the query it names is gone (read by the status)
OWNER_GONE = "lakegate.owner_gone"
_PAGE = re.compile(r"^/v1/statement/(?:queued|executing)/(?P<id>[^/]+)/[^/]+/[^/]+$")
_STATUS = re.compile(r"^/v1/queries/(?P<id>[^/]+)$")
_PAGE_METHODS = frozenset({"GET", "HEAD", "DELETE"})
_STATUS_METHODS = frozenset({"GET", "DELETE"})
#: never passed on, either way (RFC 9110 7.6.1), nor what the answering server sets itself
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_SET_BY_SERVER = frozenset({"date", "server"})


def gone_problem(query_id: str, node_id: str) -> dict[str, object]:
    return LakegateError(
        ErrorCode.ENGINE_UNAVAILABLE,
        f"the gateway instance {node_id} that ran query {query_id} is gone, and the query with it; "
        "run it again",
    ).problem(query_id)


def forwarded_query(method: str, path: str) -> tuple[str, bool] | None:
    """The query id a request names and whether it is a status read (which may be answered from
    the audit log), when the request is one that its query's owner must answer."""
    page = _PAGE.match(path)
    if page is not None and method in _PAGE_METHODS:
        return page.group("id"), False
    status = _STATUS.match(path)
    if status is not None and method in _STATUS_METHODS:
        return status.group("id"), method == "GET"
    return None


class OwnerForwarding:
    """ASGI middleware: a request for another instance's query goes to the :class:`Forwarder`."""

    def __init__(self, app: ASGIApp, forwarder: Forwarder) -> None:
        self.app = app
        self.forwarder = forwarder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.forwarder.handle(self.app, scope, receive, send)


class Forwarder:
    """Sends a request to its query's owner (one HTTP client, kept alive, per instance)."""

    def __init__(
        self,
        directory: InstanceDirectory,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 600.0,
        transport: httpx.AsyncBaseTransport | None = None,
        count: Callable[[str], None] | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.directory = directory
        #: counts each outcome: forwarded, owner_gone, store_error, tls_error
        #: (lakegate_forwarded_requests)
        self.count = count or (lambda outcome: None)
        self.client = httpx.AsyncClient(
            transport=transport,
            # https:// internal addresses: verified against this CA bundle, else the system's
            verify=_verification(ca_file),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=32),
            follow_redirects=False,
            trust_env=False,  # instance to instance: never through an HTTP proxy of the environment
        )

    async def handle(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _header(scope, FORWARDED_BY.encode()) is not None:
            await app(scope, receive, send)
            return
        named = forwarded_query(scope["method"], scope["path"])
        node = owner_of(named[0]) if named is not None else None
        if named is None or node is None or node == self.directory.node_id:
            await app(scope, receive, send)
            return
        query_id, status_read = named
        try:
            owner = self.directory.cached_owner(node)
            if owner is None:
                owner = await asyncio.to_thread(self.directory.owner, node)
        except StoreError as exc:
            log.warning("the owner of query %s cannot be looked up: %s", query_id, exc)
            self.count("store_error")
            if status_read:  # the audit log may still know it
                await app(scope, receive, send)
                return
            problem = LakegateError(
                ErrorCode.ENGINE_UNAVAILABLE,
                f"the instance that runs query {query_id} cannot be looked up: the state store is "
                "unavailable; retry shortly",
            ).problem(query_id)
            await _problem(send, problem)
            return
        if owner.state == "live":
            try:
                if await self._forward(owner, scope, receive, send):
                    self.count("forwarded")
                    return
            except _Untrusted as exc:  # alive, maybe, but not the instance it claims to be
                self.count("tls_error")
                problem = LakegateError(
                    ErrorCode.ENGINE_UNAVAILABLE,
                    f"the instance {node} that runs query {query_id} cannot be reached securely: "
                    f"{exc} (server.cluster.ca_file)",
                ).problem(query_id)
                await _problem(send, problem)
                return
        if owner.state == "unknown":
            await app(scope, receive, send)
            return
        self.count("owner_gone")
        if status_read:
            await app({**scope, OWNER_GONE: node}, receive, send)
        else:
            await _problem(send, gone_problem(query_id, node))

    async def _forward(self, owner: Owner, scope: Scope, receive: Receive, send: Send) -> bool:
        """Send the request to its owner and stream the answer back; False when the owner cannot
        be reached (nothing has been sent to the client then)."""
        path = scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"{owner.address}{path}" + (f"?{query}" if query else "")
        request = self.client.build_request(
            scope["method"], url, headers=list(_request_headers(scope, self.directory.node_id))
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TransportError as exc:  # refused, timed out, or a kept-alive connection dead
            if _tls_failure(exc):
                log.error("instance %s at %s: TLS failed: %s", owner.node_id, owner.address, exc)
                raise _Untrusted("its certificate cannot be verified") from None
            log.warning("instance %s at %s does not answer: %s", owner.node_id, owner.address, exc)
            self.directory.forget_cached(owner.node_id)
            return False
        try:
            headers = [
                (name.lower(), value)
                for name, value in response.headers.raw
                if name.lower().decode("latin-1") not in _HOP_BY_HOP | _SET_BY_SERVER
            ]
            headers.append((ANSWERED_BY.encode(), owner.node_id.encode()))
            await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()
        return True

    async def ask_the_others(self, scope: Scope) -> tuple[list[Any], list[str]]:
        """The same GET, sent to every other live instance (for a list that spans the cluster,
        such as ``GET /v1/queries``): their JSON answers, and the node ids that gave none."""
        try:
            everyone = await asyncio.to_thread(self.directory.live)
        except StoreError as exc:
            log.warning("the instances cannot be listed: %s", exc)
            return [], ["(the state store)"]
        others = [owner for owner in everyone if owner.node_id != self.directory.node_id]
        path = scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        headers = list(_request_headers(scope, self.directory.node_id))

        async def ask(owner: Owner) -> Any:
            url = f"{owner.address}{path}" + (f"?{query}" if query else "")
            response = await self.client.get(url, headers=headers, timeout=ASK_SECONDS)
            response.raise_for_status()
            return response.json()

        answers = await asyncio.gather(*(ask(owner) for owner in others), return_exceptions=True)
        found, unanswered = [], []
        for owner, answer in zip(others, answers, strict=True):
            if isinstance(answer, BaseException):
                log.warning("instance %s did not answer %s: %s", owner.node_id, path, answer)
                unanswered.append(owner.node_id)
            else:
                found.append(answer)
        return found, unanswered

    async def aclose(self) -> None:
        await self.client.aclose()


def _verification(ca_file: str | None) -> ssl.SSLContext | bool:
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"server.cluster.ca_file: cannot read {ca_file}: {exc}") from None


class _Untrusted(Exception):
    """The owner's address answers, but its TLS certificate cannot be verified."""


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):  # httpx wraps httpcore's error, which wraps the ssl module's
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


def _request_headers(scope: Scope, node_id: str) -> Iterable[tuple[bytes, bytes]]:
    """The client's headers (its Host and credentials included), marked as forwarded."""
    forwarded_for = None
    for key, value in scope["headers"]:
        name = key.lower()
        if name.decode("latin-1") in _HOP_BY_HOP or name == b"content-length":
            continue
        if name == b"x-forwarded-for":
            forwarded_for = value
            continue
        yield name, value
    client = scope.get("client")
    if client:
        address = client[0].encode("latin-1")
        forwarded_for = forwarded_for + b", " + address if forwarded_for else address
    if forwarded_for:
        yield b"x-forwarded-for", forwarded_for
    if _header(scope, b"x-forwarded-proto") is None:
        yield b"x-forwarded-proto", str(scope.get("scheme", "http")).encode("latin-1")
    yield FORWARDED_BY.encode(), node_id.encode()


async def _problem(send: Send, problem: dict[str, object]) -> None:
    body = json.dumps(problem).encode()
    status = int(str(problem["status"]))
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
