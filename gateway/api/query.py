"""The native query API: POST /v1/query streams Arrow; GET/DELETE /v1/queries/{id}."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from auth.identity import Identity
from catalog.store.backends import StoreError
from gateway.api.identity import identify
from gateway.api.problems import StreamAborted, problem_response
from gateway.errors import ErrorCode, LakegateError
from gateway.execution import Encoder, RunningQuery
from gateway.instances import InstanceDirectory
from gateway.owner_forwarding import FORWARDED_BY, OWNER_GONE, Forwarder, gone_problem
from gateway.planner.context import QueryRequest
from gateway.queries import QueryRecord
from gateway.query_history import historical_status
from gateway.result_parquet import PARQUET, ParquetParts, parquet_refusal
from gateway.results import (
    ARROW_EOS,
    ARROW_STREAM,
    CSV,
    CSV_TYPES_REFUSED,
    JSON,
    ArrowMessageParts,
    csv_can_hold,
    csv_header,
    csv_rows,
    json_document,
    negotiate,
)
from gateway.service import Gateway
from gateway.stream_errors import error_message

log = logging.getLogger(__name__)
router = APIRouter(tags=["query"])
QUERY_ID_HEADER = "X-Lakegate-Query-Id"
_NAME = r"^[A-Za-z_][A-Za-z0-9_$\-]*$"


class QueryBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sql: str = Field(min_length=1, description="One read-only SQL statement")
    catalog: str | None = Field(None, max_length=128, pattern=_NAME, description="Default catalog")
    schema_: str | None = Field(
        None, alias="schema", max_length=128, pattern=_NAME, description="Default schema"
    )
    dialect: str | None = Field("trino", max_length=32, description="sqlglot dialect of the SQL text")


class QueryStatus(BaseModel):
    id: str
    user: str
    state: str
    sql: str
    source: str
    created: str | None
    started: str | None
    finished: str | None
    elapsed_ms: float
    rows: int
    bytes: int
    error: dict[str, Any] | None
    resource_group: str | None = None
    #: while the query waits (state QUEUED): 1 for the next of its resource group to start
    queue_position: int | None = None


PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": desc, "content": PROBLEM}
    for status, desc in {
        400: "Bad SQL or request",
        401: "Not authenticated",
        403: "Statement or function not allowed",
        404: "Unknown catalog, schema or table",
        406: "No acceptable result format",
        408: "Query timed out",
        413: "Request or result too large",
        422: "The data made the query fail",
        429: "Too many queries",
    }.items()
}
#: a query of another instance (gateway/owner_forwarding.py) whose instance is gone or cannot be
#: reached: ENGINE_UNAVAILABLE
_OWNER_GONE = {
    "description": "The instance that ran the query is gone (ENGINE_UNAVAILABLE)",
    "content": PROBLEM,
}


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _encoder(media: str) -> Encoder:
    if media == ARROW_STREAM:
        return ArrowMessageParts()
    if media == CSV:
        return csv_rows
    if media == PARQUET:
        return ParquetParts()
    return lambda batch: batch


@router.post(
    "/v1/query",
    summary="Run one read-only SQL statement",
    response_class=Response,
    responses={
        200: {
            "description": "The result: an Arrow IPC stream (default), JSON, CSV or a Parquet file",
            "content": {ARROW_STREAM: {}, JSON: {"schema": {"type": "object"}}, CSV: {}, PARQUET: {}},
            "headers": {QUERY_ID_HEADER: {"schema": {"type": "string"}}},
        },
        **_ERRORS,
    },
)
async def run_query(
    body: QueryBody, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> Response:
    media = negotiate(request.headers.get("accept"))
    if media is None:
        raise LakegateError(
            ErrorCode.NOT_ACCEPTABLE, f"results are offered as {ARROW_STREAM}, {JSON}, {CSV} or {PARQUET}"
        )
    gateway = _gateway(request)
    query = QueryRequest(
        body.sql, body.catalog, body.schema_, body.dialect or "trino", identity.user, identity.groups
    )
    client = request.client.host if request.client else None
    record = gateway.new_record(query, "native", client)
    encoder = _encoder(media)
    headers = {QUERY_ID_HEADER: record.id}
    try:
        # The query may wait its turn in its resource group: a client that leaves meanwhile
        # takes it out of the queue (and a JSON answer, built whole, is watched alike).
        async with _canceled_on_disconnect(request, gateway, record):
            record, running = await gateway.start_query(query, "native", encoder, client, record=record)
            if media == JSON:
                return await _json_answer(gateway, running, headers)
    except LakegateError as exc:
        return problem_response(exc, exc.query_id)
    if media == CSV:
        async with _canceled_on_disconnect(request, gateway, record):
            refused = await _refuse_for_csv(gateway, running)
        if refused is not None:
            return refused
    # A streamed answer is canceled by the stream itself when the client goes (see _stream).
    if media == PARQUET:
        async with _canceled_on_disconnect(request, gateway, record):
            refused = await _refuse_for_parquet(gateway, running)
        if refused is not None:
            return refused
        headers["Content-Disposition"] = 'attachment; filename="result.parquet"'
    return StreamingResponse(_stream(gateway, running, media, encoder), media_type=media, headers=headers)


@contextlib.asynccontextmanager
async def _canceled_on_disconnect(
    request: Request, gateway: Gateway, record: QueryRecord
) -> AsyncIterator[None]:
    """While the handler itself waits (in a resource group's queue; for the engine, as a JSON
    answer is built whole and CSV waits for the columns before its status line), a client that
    goes away cancels the query at once."""

    async def watch() -> None:
        while True:
            message = await request.receive()
            if message.get("type") == "http.disconnect":
                gateway.cancel(record, "the client disconnected")
                return

    watcher = asyncio.create_task(watch())
    try:
        yield
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _stream(
    gateway: Gateway, running: RunningQuery, media: str, encoder: Encoder
) -> AsyncIterator[Any]:
    error: LakegateError | None = None
    sent = 0
    tail = ARROW_EOS if media == ARROW_STREAM else b""
    held: memoryview | bytes = b""
    started = False  # the schema (Arrow's first message) is known
    try:
        schema = await running.schema()
        if media == ARROW_STREAM:
            head = schema.serialize()
        elif media == CSV:
            head = pa.py_buffer(csv_header(schema))
        else:
            head = pa.py_buffer(b"")
        # One piece is held back, so that the answer's last byte leaves only once the query's
        # audit record is durable (Arrow's end-of-stream marker; CSV's last rows).
        held, started = memoryview(head), True
        async for payload in running.payloads():
            for part in payload if isinstance(payload, list) else (payload,):
                sent += len(held)
                yield held
                held = memoryview(part)
        if isinstance(encoder, ParquetParts):
            tail = await asyncio.to_thread(encoder.finish, schema)
        if tail:
            sent += len(held)
            yield held
            held = tail
        await gateway.recorded(gateway.end(running, None))
        sent += len(held)
        yield held
    except LakegateError as exc:
        # The status line is gone: abort the connection so that no client can take the partial
        # stream for a whole result; the query's status (GET /v1/queries/{id}) carries the error.
        error = exc
        if media == ARROW_STREAM and started:
            # and say so in the stream itself: the rest of the last whole batch, then an error
            # message no Arrow reader takes for a batch (gateway/stream_errors.py)
            if held is not tail:  # never the end-of-stream marker of a failed answer
                sent += len(held)
                yield held
            yield error_message(exc.problem(running.record.id))
        raise StreamAborted(exc.code.value) from None
    except (asyncio.CancelledError, GeneratorExit):
        gateway.cancel(running.record, "the client disconnected")
        error = LakegateError(ErrorCode.QUERY_CANCELED, "the client disconnected")
        raise
    except Exception:
        log.exception("streaming the result of %s failed", running.record.id)
        gateway.cancel(running.record, "the server failed to send the result")
        error = LakegateError(ErrorCode.INTERNAL_ERROR, "the server failed to send the result")
        raise StreamAborted(error.code.value) from None
    finally:
        gateway.metrics.bytes_streamed.inc(sent)
        gateway.metrics.rows_streamed.inc(running.record.rows)
        gateway.end(running, error)


async def _refuse_for_csv(gateway: Gateway, running: RunningQuery) -> Response | None:
    """CSV is decided before the status line: its columns must be ones CSV can hold."""
    try:
        schema = await running.schema()
    except LakegateError as exc:
        gateway.end(running, exc)
        return problem_response(exc, running.record.id)
    if csv_can_hold(schema):
        return None
    error = LakegateError(
        ErrorCode.NOT_ACCEPTABLE,
        f"CSV cannot hold {CSV_TYPES_REFUSED} columns; ask for {ARROW_STREAM} or {JSON}",
    )
    gateway.cancel(running.record, error.detail)
    gateway.end(running, error)
    return problem_response(error, running.record.id)


async def _refuse_for_parquet(gateway: Gateway, running: RunningQuery) -> Response | None:
    """Parquet is decided before the status line too: its columns must be ones Parquet can hold."""
    try:
        schema = await running.schema()
    except LakegateError as exc:
        gateway.end(running, exc)
        return problem_response(exc, running.record.id)
    reason = parquet_refusal(schema)
    if reason is None:
        return None
    error = LakegateError(
        ErrorCode.NOT_ACCEPTABLE, f"Parquet cannot hold this result ({reason}); ask for {ARROW_STREAM}"
    )
    gateway.cancel(running.record, error.detail)
    gateway.end(running, error)
    return problem_response(error, running.record.id)


async def _json_answer(gateway: Gateway, running: RunningQuery, headers: dict[str, str]) -> Response:
    limit = gateway.config.server.limits.max_text_rows
    batches: list[pa.RecordBatch] = []
    rows = 0
    error: LakegateError | None = None
    try:
        await running.schema()
        async for batch in running.payloads():
            batches.append(batch)
            rows += batch.num_rows
            if rows > limit:
                gateway.cancel(running.record, f"result exceeds {limit} rows for JSON")
                error = LakegateError(
                    ErrorCode.RESULT_TOO_LARGE,
                    f"JSON answers hold at most {limit} rows; ask for {ARROW_STREAM} or add a LIMIT",
                )
                break
    except LakegateError as exc:
        error = exc
    finally:
        durable = gateway.end(running, error)
    if error is not None:
        return problem_response(error, running.record.id)
    try:
        await gateway.recorded(durable)
    except LakegateError as exc:
        return problem_response(exc, running.record.id)
    try:
        body = json_document(running.record.id, await running.schema(), batches)
    except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
        error = LakegateError(
            ErrorCode.NOT_ACCEPTABLE, f"the result cannot be written as JSON ({exc}); ask for {ARROW_STREAM}"
        )
        return problem_response(error, running.record.id)
    gateway.metrics.bytes_streamed.inc(len(body))
    gateway.metrics.rows_streamed.inc(rows)
    return Response(body, media_type=JSON, headers=headers)


def _may_see(gateway: Gateway, identity: Identity, owner: str) -> bool:
    """Owners see their queries, and policy admins everyone's."""
    return owner == identity.user or (
        gateway.authorizer is not None and gateway.authorizer.is_admin(identity)
    )


def _owned_query(request: Request, query_id: str, identity: Identity) -> Any:
    gateway = _gateway(request)
    record = gateway.queries.get(query_id)
    if record is None or not _may_see(gateway, identity, record.user):
        # Another user's query is as unknown as a query that never existed.
        raise LakegateError(ErrorCode.QUERY_NOT_FOUND, f"query {query_id} does not exist")
    return record


@router.get(
    "/v1/queries",
    summary="The caller's running, queued and recent queries (an administrator's: everyone's)",
    response_model=list[QueryStatus],
    responses={401: _ERRORS[401]},
)
async def list_queries(
    request: Request,
    response: Response,
    identity: Annotated[Identity, Depends(identify)],
    state: Annotated[str | None, Query(description="only queries in this state, e.g. QUEUED")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Every instance's queries in a cluster (several instances or workers): the instance asked
    gathers the others' lists; ``X-Lakegate-Unanswered-Instances`` names any that did not answer."""
    gateway = _gateway(request)
    records = [
        r
        for r in gateway.queries.recent()
        if _may_see(gateway, identity, r.user) and (state is None or r.state.value == state.upper())
    ]
    records.sort(key=lambda r: r.created, reverse=True)
    listed = []
    for record in records[:limit]:
        status = record.describe()
        status["queue_position"] = gateway.admission.position(record.id)
        listed.append(status)
    forwarder: Forwarder | None = getattr(request.app.state, "forwarder", None)
    if forwarder is not None and request.headers.get(FORWARDED_BY) is None:
        answers, unanswered = await forwarder.ask_the_others(request.scope)
        for answer in answers:
            listed.extend(item for item in answer if isinstance(item, dict))
        listed.sort(key=lambda status: str(status.get("created", "")), reverse=True)
        listed = listed[:limit]
        if unanswered:
            response.headers["X-Lakegate-Unanswered-Instances"] = ",".join(unanswered)
    return listed


@router.get(
    "/v1/queries/{query_id}",
    summary="A query's state, counters and error",
    response_model=QueryStatus,
    responses={404: _ERRORS[404], 401: _ERRORS[401], 503: _OWNER_GONE},
)
async def query_status(
    query_id: str, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> dict[str, Any]:
    gateway = _gateway(request)
    if gateway.queries.get(query_id) is None:
        # Let go by memory (a restart, the history's bound, another instance): the audit log has it.
        status = await asyncio.to_thread(historical_status, gateway.audit.store, query_id)
        if status is not None and _may_see(gateway, identity, str(status["user"])):
            return status
        gone = request.scope.get(OWNER_GONE)
        if gone is not None:  # it ran on an instance that is gone (gateway/owner_forwarding.py)
            raise LakegateError(ErrorCode.ENGINE_UNAVAILABLE, str(gone_problem(query_id, gone)["detail"]))
    record = _owned_query(request, query_id, identity)
    described: dict[str, Any] = record.describe()
    described["queue_position"] = gateway.admission.position(record.id)
    return described


@router.delete(
    "/v1/queries/{query_id}",
    summary="Cancel a query",
    status_code=204,
    response_class=Response,
    responses={404: _ERRORS[404], 401: _ERRORS[401], 503: _OWNER_GONE},
)
async def cancel_query(
    query_id: str, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> Response:
    """The query's owner or an administrator cancels it. With several gateway instances, an
    instance that does not run the query forwards the cancel to the one that does."""
    # (through the state store: gateway/kill_requests.py)
    gateway = _gateway(request)
    kills = gateway.kill_requests
    owner = kills.owner_elsewhere(query_id) if kills is not None else None
    if owner is not None and gateway.instances is not None:
        known = await _known_instance(gateway.instances, owner)
        if not known:  # no instance of this cluster ever had that node id: no need to ask
            raise LakegateError(ErrorCode.QUERY_NOT_FOUND, f"query {query_id} does not exist")
    if kills is not None and owner is not None:
        admin = _may_see(gateway, identity, "")
        try:
            reason = "canceled by the user"
            outcome = await asyncio.to_thread(kills.request, query_id, identity.user, admin, reason)
        except StoreError as exc:
            raise LakegateError(
                ErrorCode.ENGINE_UNAVAILABLE, f"the cancel cannot reach the query's instance: {exc}"
            ) from None
        if outcome == "not_found":
            raise LakegateError(ErrorCode.QUERY_NOT_FOUND, f"query {query_id} does not exist")
        return Response(status_code=204)
    record = _owned_query(request, query_id, identity)
    gateway.cancel(record)
    return Response(status_code=204)


async def _known_instance(instances: InstanceDirectory, node_id: str) -> bool:
    try:
        owner = await asyncio.to_thread(instances.owner, node_id)
    except StoreError:
        return True  # the kill request will say
    return owner.state != "unknown"
