"""QueryResults documents and the URIs in them (Trino's ``QueryResults`` and ``StatementStats``).

A document is serialized with orjson, and a page's rows (already JSON) are spliced in as the
last member, so rows are never parsed or re-encoded on the way out.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from gateway.errors import LakegateError
from gateway.frontdoors.trino.errors import error_document
from gateway.queries import QueryRecord, QueryState

QUEUED = "QUEUED"
RUNNING = "RUNNING"
FINISHED = "FINISHED"
FAILED = "FAILED"


def next_uri(base_url: str, query_id: str, slug: str, token: int) -> str:
    return f"{base_url}v1/statement/executing/{query_id}/{slug}/{token}"


def info_uri(base_url: str, query_id: str) -> str:
    return f"{base_url}v1/queries/{query_id}"


def stats(record: QueryRecord, state: str) -> dict[str, Any]:
    now = time.time()
    end = record.finished or now
    elapsed = max(end - record.created, 0.0)
    started = record.started
    queued = max((started or end) - record.created, 0.0)
    running = (end - started) if started else 0.0
    done = state in (FINISHED, FAILED)
    return {
        "state": state,
        "queued": state == QUEUED,
        "scheduled": started is not None,
        "nodes": 1,
        "totalSplits": 1,
        "queuedSplits": 0 if started else 1,
        "runningSplits": 0 if done or not started else 1,
        "completedSplits": 1 if done else 0,
        "cpuTimeMillis": round(running * 1000),
        "wallTimeMillis": round(running * 1000),
        "queuedTimeMillis": round(queued * 1000),
        "elapsedTimeMillis": round(elapsed * 1000),
        "processedRows": record.rows,
        "processedBytes": record.bytes,
        "physicalInputBytes": 0,
        "peakMemoryBytes": 0,
        "spilledBytes": 0,
    }


def document(
    record: QueryRecord,
    base_url: str,
    state: str,
    *,
    next: str | None = None,
    columns: list[dict[str, Any]] | None = None,
    error: LakegateError | None = None,
    update_type: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": record.id, "infoUri": info_uri(base_url, record.id)}
    if next is not None:
        doc["nextUri"] = next
    if columns is not None:
        doc["columns"] = columns
    doc["stats"] = stats(record, state)
    if error is not None:
        doc["error"] = error_document(error)
    doc["warnings"] = []
    if update_type is not None:
        doc["updateType"] = update_type
    return doc


def serialize(doc: dict[str, Any], data: bytes | None = None) -> bytes:
    """The document as JSON, with ``data`` (a JSON array, already encoded) as its last member."""
    body = orjson.dumps(doc)
    if data is None:
        return body
    return b"".join((body[:-1], b',"data":', data, b"}"))


def failed(record: QueryRecord, base_url: str, error: LakegateError) -> bytes:
    """The answer for a query that failed before it could return anything."""
    return serialize(document(record, base_url, FAILED, error=error))


def state_of(record: QueryRecord) -> str:
    return RUNNING if record.state is QueryState.RUNNING else QUEUED
