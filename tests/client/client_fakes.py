"""A fake Lakegate server for client unit tests, served through ``httpx.MockTransport``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.ipc

import lakegate

BASE_URL = "http://lakegate.test"
ARROW = "application/vnd.apache.arrow.stream"
PROBLEM = "application/problem+json"

Handler = Callable[[httpx.Request], httpx.Response]


def ipc_bytes(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> bytes:
    """A complete Arrow IPC stream (schema, batches, end-of-stream marker)."""
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue()


EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def ipc_parts(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> list[bytes]:
    """A stream split into its messages: schema, one per batch, end-of-stream marker."""
    return [
        schema.serialize().to_pybytes(),
        *(batch.serialize().to_pybytes() for batch in batches),
        EOS,
    ]


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


class ChunkSource:
    """An iterable response body that records how many chunks have been pulled."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk
        if self.error is not None:
            raise self.error

    @property
    def exhausted(self) -> bool:
        return self.pulled == len(self.chunks)


def table(**columns: Any) -> pa.Table:
    return pa.table(columns)


def arrow_response(
    data: bytes | ChunkSource,
    *,
    query_id: str | None = "q-1",
    chunk_size: int | None = None,
    content_type: str = ARROW,
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if query_id is not None:
        headers["X-Lakegate-Query-Id"] = query_id
    if isinstance(data, ChunkSource):
        return httpx.Response(200, headers=headers, content=iter(data))
    chunks = chunked(data, chunk_size) if chunk_size else [data]
    return httpx.Response(200, headers=headers, content=iter(chunks))


def problem(
    status: int,
    code: str | None,
    detail: str = "something went wrong",
    *,
    query_id: str | None = None,
    title: str = "Error",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://lakegate.dev/problems/{(code or 'unknown').lower()}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "query_id": query_id,
    }
    return body


def problem_response(
    status: int, code: str | None, detail: str = "something went wrong", **kw: Any
) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"Content-Type": PROBLEM},
        content=json.dumps(problem(status, code, detail, **kw)).encode(),
    )


class FakeGateway:
    """Routes requests like the real server; every request is recorded in :attr:`requests`."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], httpx.Response | Handler] = {}
        self.query_handler: Handler | None = None
        self.clients: list[httpx.Client] = []
        self.prefix = ""  # a path prefix the server is mounted under

    # -- set-up ---------------------------------------------------------------------------------

    def on_query(self, response: httpx.Response | Handler) -> None:
        self.query_handler = response if callable(response) else (lambda _request: response)

    def serve_table(self, tbl: pa.Table, *, max_chunksize: int | None = None, **kw: Any) -> bytes:
        data = ipc_bytes(tbl.to_batches(max_chunksize=max_chunksize), tbl.schema)
        self.on_query(lambda _request: arrow_response(data, **kw))
        return data

    def route(self, method: str, path: str, response: httpx.Response | Handler) -> None:
        self.routes[(method, path)] = response

    def route_json(self, method: str, path: str, payload: Any, status: int = 200) -> None:
        self.route(method, path, lambda _r: httpx.Response(status, json=payload))

    # -- inspection -----------------------------------------------------------------------------

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.method == "POST"]

    def calls(self, method: str) -> list[str]:
        return [r.url.raw_path.decode() for r in self.requests if r.method == method]

    # -- transport ------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().removeprefix(self.prefix)
        if request.method == "POST" and path == "/v1/query":
            if self.query_handler is None:
                return problem_response(500, "INTERNAL_ERROR", "no query handler")
            return self.query_handler(request)
        route = self.routes.get((request.method, path))
        if route is None:
            if request.method == "DELETE":
                return httpx.Response(204)
            return problem_response(404, "QUERY_NOT_FOUND", f"no route {request.method} {path}")
        if isinstance(route, httpx.Response):
            return route
        return route(request)

    def client(self) -> httpx.Client:
        client = httpx.Client(transport=httpx.MockTransport(self.handle))
        self.clients.append(client)
        return client

    def connect(self, **kwargs: Any) -> lakegate.Connection:
        kwargs.setdefault("progress", False)
        return lakegate.connect(BASE_URL, http_client=self.client(), **kwargs)

    def close(self) -> None:
        for client in self.clients:
            client.close()
