"""HTTP transport: the only module that speaks HTTP to the gateway.

It owns the ``httpx.Client``, adds authentication and the standard headers to every request,
and turns every non-success response (RFC 9457 problem objects, proxy error pages, network
failures) into the client's typed exceptions. Secrets (password, token and the Authorization
header) are scrubbed from every text that ends up in an exception.
"""

from __future__ import annotations

import base64
import html
import http.client
import json
import re
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from lakegate import socket_stream
from lakegate._version import __version__
from lakegate.errors import (
    AuthenticationError,
    Error,
    InterfaceError,
    OperationalError,
    PermissionDeniedError,
    error_from_problem,
)
from lakegate.socket_stream import SocketResponse

__all__ = [
    "ARROW_STREAM_MEDIA_TYPE",
    "HEADER_ACCEPT",
    "HEADER_ACCEPT_ENCODING",
    "HEADER_AUTHORIZATION",
    "HEADER_QUERY_ID",
    "HEADER_USER",
    "HEADER_USER_AGENT",
    "PROBLEM_MEDIA_TYPE",
    "USER_AGENT",
    "Credentials",
    "HttpSession",
]

ARROW_STREAM_MEDIA_TYPE = "application/vnd.apache.arrow.stream"
PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_MEDIA_TYPE = "application/json"

HEADER_ACCEPT = "Accept"
HEADER_ACCEPT_ENCODING = "Accept-Encoding"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_TYPE = "Content-Type"
HEADER_QUERY_ID = "X-Lakegate-Query-Id"
HEADER_USER = "X-Lakegate-User"
HEADER_USER_AGENT = "User-Agent"

USER_AGENT = f"lakegate-python/{__version__}"

QUERY_PATH = "/v1/query"
CATALOGS_PATH = "/v1/catalogs"
SEARCH_PATH = "/v1/search"
DATASETS_PATH = "/v1/datasets"
SUGGEST_PATH = "/v1/suggest"

#: Seconds allowed to establish a connection.
CONNECT_TIMEOUT = 30.0
#: Seconds allowed for the short calls: metadata, query status, cancel; and for sending.
CALL_TIMEOUT = 60.0

_REDACTED = "***"
_MAX_SNIPPET = 300


def path_segment(value: str) -> str:
    """Percent-encode one URL path segment (catalog, schema, table names, query ids)."""
    return quote(value, safe="")


def query_path(query_id: str) -> str:
    return f"/v1/queries/{path_segment(query_id)}"


class Credentials:
    """How the client authenticates. Never shows its secrets in ``repr``.

    * ``user`` and ``password``: HTTP Basic;
    * ``token``: ``Authorization: Bearer``;
    * ``user`` alone: the development-mode ``X-Lakegate-User`` header.
    """

    __slots__ = ("_password", "_token", "user")

    def __init__(self, user: str | None = None, password: str | None = None, token: str | None = None):
        if password is not None and token is not None:
            raise InterfaceError("pass either password= or token=, not both")
        if password is not None and not user:
            raise InterfaceError("password= needs user=")
        self.user = user or None
        self._password = password
        self._token = token

    @property
    def scheme(self) -> str:
        if self._token is not None:
            return "bearer"
        if self._password is not None:
            return "basic"
        if self.user is not None:
            return "user-header"
        return "none"

    def headers(self) -> dict[str, str]:
        if self._token is not None:
            return {HEADER_AUTHORIZATION: f"Bearer {self._token}"}
        if self._password is not None and self.user is not None:
            return {HEADER_AUTHORIZATION: f"Basic {self._basic_value()}"}
        if self.user is not None:
            return {HEADER_USER: self.user}
        return {}

    def secrets(self) -> list[str]:
        """Every string that must never appear in a message."""
        found: list[str] = []
        if self._token:
            found.append(self._token)
        if self._password:
            found += [self._password, self._basic_value()]
        return found

    def _basic_value(self) -> str:
        raw = f"{self.user}:{self._password}".encode()
        return base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


class Redactor:
    """Replaces secrets in texts that come from the network or from exceptions."""

    def __init__(self, secrets: list[str]) -> None:
        # Longest first, so that a secret containing another one is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, _REDACTED)
        return text


def split_url(url: str) -> tuple[str, str | None, str | None]:
    """Return ``(base_url, user, password)``: the URL without credentials or trailing slash."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise InterfaceError("invalid server URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InterfaceError("the server URL must look like http(s)://host[:port][/prefix]")
    user = parsed.username or None  # httpx has already percent-decoded them
    password = parsed.password or None
    clean = parsed.copy_with(username=None, password=None, query=None, fragment=None)
    return str(clean).rstrip("/"), user, password


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get(HEADER_CONTENT_TYPE, "")).split(";", 1)[0].strip().lower()


def _snippet(body: bytes, media_type: str) -> str:
    text = body.decode("utf-8", errors="replace")
    if "html" in media_type or text.lstrip()[:1] == "<":
        match = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = html.unescape(match.group(1)) if match else re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    if len(text) > _MAX_SNIPPET:
        text = text[: _MAX_SNIPPET - 3] + "..."
    return text


class HttpSession:
    """Sends the gateway's requests. Thread-safe as far as ``httpx.Client`` is."""

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        *,
        timeout: float | httpx.Timeout | None,
        verify: bool | str,
        http_client: httpx.Client | None = None,
    ) -> None:
        base_url, _, _ = split_url(url)
        self._verify = verify
        self.base_url = base_url
        self.credentials = credentials
        self._redact = Redactor(credentials.secrets())
        # None: the injected client's own timeouts apply.
        self._query_timeout: httpx.Timeout | None = None
        if http_client is None:
            if isinstance(timeout, httpx.Timeout):
                self._query_timeout = timeout
            else:
                self._query_timeout = httpx.Timeout(
                    connect=CONNECT_TIMEOUT, read=timeout, write=CALL_TIMEOUT, pool=CALL_TIMEOUT
                )
            self._client = httpx.Client(
                timeout=httpx.Timeout(CALL_TIMEOUT, connect=CONNECT_TIMEOUT),
                verify=ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify,
                follow_redirects=False,
            )
            self._owns_client = True
        else:
            self._client = http_client
            self._owns_client = False
        self.closed = False

    # -- public -------------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        return self._redact(text)

    def start_query(self, body: Mapping[str, Any]) -> httpx.Response | SocketResponse:
        """POST the query and return the *open*, streaming 200 response (the caller closes it)."""
        if self._owns_client and socket_stream.usable(self.base_url):
            return self._start_query_on_socket(body)
        response = self._send(
            "POST",
            QUERY_PATH,
            json=body,
            accept=ARROW_STREAM_MEDIA_TYPE,
            stream=True,
            timeout=self._query_timeout,
        )
        media_type = _media_type(response)
        if media_type and media_type != ARROW_STREAM_MEDIA_TYPE:
            try:
                snippet = _snippet(response.read()[:4096], media_type)
            except httpx.HTTPError:
                snippet = ""
            finally:
                response.close()
            message = f"expected an Arrow stream from {self.base_url} but got {media_type!r}"
            if snippet:
                message += f": {self._redact(snippet)}"
            raise OperationalError(
                message, status=response.status_code, query_id=response.headers.get(HEADER_QUERY_ID)
            )
        return response

    def _start_query_on_socket(self, body: Mapping[str, Any]) -> SocketResponse:
        if self.closed:
            raise InterfaceError("the connection is closed")
        url = self.base_url + QUERY_PATH
        timeout = self._query_timeout
        try:
            response = socket_stream.post_json(
                url,
                body,
                self._headers(ARROW_STREAM_MEDIA_TYPE),
                connect_timeout=CONNECT_TIMEOUT
                if timeout is None or timeout.connect is None
                else timeout.connect,
                read_timeout=None if timeout is None else timeout.read,
                verify=self._verify,
            )
        except TimeoutError:
            raise OperationalError(f"POST {url} timed out") from None
        except (OSError, http.client.HTTPException) as exc:
            reason = self._redact(str(exc)) or type(exc).__name__
            raise OperationalError(f"cannot reach {self.base_url}: {reason}") from None
        if response.status_code != 200:
            raise self._error_from_response(response.to_httpx(url))
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != ARROW_STREAM_MEDIA_TYPE:
            response.close()
            raise OperationalError(
                f"expected an Arrow stream from {self.base_url} but got {media_type!r}",
                status=response.status_code,
                query_id=response.headers.get(HEADER_QUERY_ID),
            )
        return response

    def get_json(self, path: str) -> Any:
        response = self._send("GET", path, accept=f"{JSON_MEDIA_TYPE}, {PROBLEM_MEDIA_TYPE}")
        try:
            return response.json()
        except ValueError as exc:
            raise InterfaceError(f"the server sent invalid JSON for GET {path}") from exc

    def post_json(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        response = self._send(
            "POST", path, accept=f"{JSON_MEDIA_TYPE}, {PROBLEM_MEDIA_TYPE}", json=body or {}
        )
        try:
            return response.json()
        except ValueError as exc:
            raise InterfaceError(f"the server sent invalid JSON for POST {path}") from exc

    def delete(self, path: str) -> None:
        self._send("DELETE", path, accept=f"{JSON_MEDIA_TYPE}, {PROBLEM_MEDIA_TYPE}")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self._owns_client:
                self._client.close()

    def __repr__(self) -> str:
        return f"HttpSession({self.base_url!r}, auth={self.credentials.scheme!r})"

    # -- internals ----------------------------------------------------------------------------

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {HEADER_ACCEPT: accept, HEADER_USER_AGENT: USER_AGENT}
        if accept == ARROW_STREAM_MEDIA_TYPE:
            # HTTP compression (e.g. a gzip middleware) holds bytes back until its buffer
            # fills, which delays the schema and early batches. Arrow IPC streams carry their
            # own buffer compression (LZ4/ZSTD) for when bandwidth matters.
            headers[HEADER_ACCEPT_ENCODING] = "identity"
        headers.update(self.credentials.headers())
        return headers

    def _send(
        self,
        method: str,
        path: str,
        *,
        accept: str,
        json: Mapping[str, Any] | None = None,
        stream: bool = False,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        if self.closed:
            raise InterfaceError("the connection is closed")
        url = self.base_url + path
        try:
            request = self._client.build_request(
                method,
                url,
                json=json,
                headers=self._headers(accept),
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
            response = self._client.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            raise OperationalError(f"{method} {url} timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            reason = self._redact(str(exc)) or type(exc).__name__
            raise OperationalError(f"cannot reach {self.base_url}: {reason}") from None
        if response.is_success:
            return response
        try:
            raise self._error_from_response(response)
        finally:
            response.close()

    def _error_from_response(self, response: httpx.Response) -> Error:
        status = response.status_code
        query_id = response.headers.get(HEADER_QUERY_ID)
        try:
            body = response.read()
        except httpx.HTTPError:
            body = b""
        media_type = _media_type(response)
        if media_type in (PROBLEM_MEDIA_TYPE, JSON_MEDIA_TYPE) or media_type.endswith("+json"):
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and (media_type == PROBLEM_MEDIA_TYPE or "code" in data):
                return error_from_problem(data, status=status, query_id=query_id, redact=self._redact)
        if response.is_redirect:
            location = response.headers.get("Location", "?")
            return OperationalError(
                f"the server redirected (HTTP {status}) to {self._redact(location)}; "
                "connect to that URL instead",
                status=status,
            )
        cls: type[Error] = OperationalError
        if status == 401:
            cls = AuthenticationError
        elif status == 403:
            cls = PermissionDeniedError
        reason = f" {response.reason_phrase}" if response.reason_phrase else ""
        message = f"HTTP {status}{reason} from {self.base_url}"
        snippet = _snippet(body, media_type)
        if snippet:
            message += f": {self._redact(snippet)}"
        return cls(message, status=status, query_id=query_id)
