"""The fast path for result bodies: the standard library's HTTP client, read by Arrow directly.

httpx hands a body over in 64 KiB pieces, each copied several times before Arrow sees it, which
costs about a third of the throughput of a large result. ``http.client`` reads each IPC message
(megabytes) from the socket in one call into one buffer that Arrow then uses without copying.
It is used for the query body only, when the connection owns its HTTP client and no proxy is
configured; everything else (and any custom ``http_client``) goes through httpx as before.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def usable(base_url: str) -> bool:
    """True when the standard library can reach ``base_url`` the way httpx would (no proxies)."""
    if any(os.environ.get(name) for name in _PROXY_VARIABLES):
        return False
    return urlsplit(base_url).scheme in ("http", "https")


class SocketResponse:
    """An open streaming response: its status, headers, and the body as a raw file."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self._connection = connection
        self._response = response
        self.status_code = response.status
        self.headers = httpx.Headers(response.getheaders())

    @property
    def raw_file(self) -> http.client.HTTPResponse:
        return self._response

    def read(self) -> bytes:
        return self._response.read()

    def to_httpx(self, url: str) -> httpx.Response:
        """The (error) response, fully read, as httpx would have given it."""
        body = self.read()
        self.close()
        return httpx.Response(
            self.status_code, headers=self.headers, content=body, request=httpx.Request("POST", url)
        )

    def close(self) -> None:
        try:
            self._response.close()
        finally:
            self._connection.close()


def post_json(
    url: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    *,
    connect_timeout: float,
    read_timeout: float | None,
    verify: bool | str,
) -> SocketResponse:
    """POST ``body`` as JSON and return once the response headers have arrived."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(host, parts.port, timeout=connect_timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=connect_timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    payload = json.dumps(dict(body)).encode()
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.request(
            "POST", path, body=payload, headers={**headers, "Content-Type": "application/json"}
        )
        connection.sock.settimeout(read_timeout)
        response = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    return SocketResponse(connection, response)
