"""Derived datasets over REST: define a view or a materialised table, list, refresh, drop.

The same service as the SQL statements (``CREATE VIEW``, ``CREATE TABLE ... AS``, ``DROP``),
with the same policy checks; each call is recorded and audited as its Trino statement.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

import sqlglot
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp
from sqlglot.errors import SqlglotError

from auth.identity import Identity
from auth.sql_visibility import sql_is_visible
from gateway.api.identity import identify
from gateway.datasets.model import Dataset, Kind, Security
from gateway.datasets.service import DatasetService, Outcome
from gateway.datasets.statements import CreateDataset, DropDataset, Name, parse_name
from gateway.errors import ErrorCode, LakegateError
from gateway.planner.context import QueryRequest
from gateway.service import Gateway

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])
PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": desc, "content": PROBLEM}
    for status, desc in {
        400: "Bad SQL or request",
        401: "Not authenticated",
        403: "Not allowed by policy, or not a workspace catalog",
        404: "No such dataset (or not visible)",
        409: "A dataset of that name exists",
    }.items()
}
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class DatasetBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=400, description="catalog.schema.name in a workspace catalog")
    kind: Literal["view", "table"] = Field(description="a view, or a materialised table (Parquet)")
    sql: str = Field(min_length=1, description="the defining query (Trino dialect)")
    description: str | None = Field(None, max_length=10_000)
    security: Literal["DEFINER", "INVOKER"] = Field(
        "DEFINER", description="views: whose rights read the sources (as Trino's SECURITY clause)"
    )
    replace: bool = Field(False, description="replace a dataset of the same name and kind")
    refresh_seconds: float | None = Field(
        None, ge=60, description="tables: refresh on this schedule (at least a minute)"
    )
    catalog: str | None = Field(None, max_length=128, pattern=_NAME, description="session catalog")
    schema_: str | None = Field(
        None, alias="schema", max_length=128, pattern=_NAME, description="session schema"
    )


def _service(request: Request) -> tuple[Gateway, DatasetService]:
    gateway: Gateway = request.app.state.gateway
    if gateway.datasets is None:
        raise LakegateError(
            ErrorCode.NOT_SUPPORTED, "no workspace catalog is configured (workspaces: in the config)"
        )
    return gateway, gateway.datasets


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


def describe(dataset: Dataset, sql_shown: bool = True) -> dict[str, Any]:
    """The dataset's description; its SQL only when ``sql_shown`` (the reader may see every
    relation it names, see auth/sql_visibility.py), else null."""
    body: dict[str, Any] = {
        "name": dataset.qualified,
        "catalog": dataset.catalog,
        "schema": dataset.schema,
        "table": dataset.name,
        "kind": dataset.kind.value.lower(),
        "sql": dataset.sql if sql_shown else None,
        "owner": dataset.owner,
        "description": dataset.comment,
        "columns": [
            {"name": c.name, "type": c.type, "description": dataset.column_comments.get(c.name)}
            for c in dataset.columns
        ],
        "created": _iso(dataset.created_at),
        "updated": _iso(dataset.updated_at),
    }
    if dataset.kind is Kind.VIEW:
        body["security"] = dataset.security.value
    else:
        body.update(
            version=dataset.version,
            rows=dataset.row_count,
            bytes=dataset.size_bytes,
            duration_ms=dataset.duration_ms,
            refreshed=_iso(dataset.refreshed_at),
            refresh_seconds=dataset.refresh_seconds,
            last_error=dataset.last_error,
        )
    return body


def _query(sql: str) -> str:
    try:
        trees = sqlglot.parse(sql, read="trino")
    except SqlglotError as exc:
        raise LakegateError(ErrorCode.SQL_SYNTAX_ERROR, f"the dataset's SQL is not valid: {exc}") from None
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        raise LakegateError(ErrorCode.INVALID_REQUEST, "sql must be one query (SELECT ...)")
    return trees[0].sql(dialect="trino")


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _visible(gateway: Gateway, identity: Identity, dataset: Dataset) -> bool:
    authorizer = gateway.authorizer
    return authorizer is None or authorizer.can_see(identity, dataset.catalog, dataset.schema, dataset.name)


def _sql_shown(gateway: Gateway, identity: Identity, dataset: Dataset) -> bool:
    return sql_is_visible(gateway.authorizer, identity, dataset.sql, dataset.catalog, dataset.schema)


def _find(gateway: Gateway, service: DatasetService, identity: Identity, name: str) -> Dataset:
    target = parse_name(name, None, None)
    dataset = service.store.get(target.catalog, target.schema, target.name)
    if dataset is None or not _visible(gateway, identity, dataset):
        raise LakegateError(ErrorCode.TABLE_NOT_FOUND, f"dataset {target} does not exist")
    return dataset


def _answer(outcome: Outcome) -> dict[str, Any]:
    assert outcome.dataset is not None
    body = describe(outcome.dataset)
    if outcome.problems:
        body["problems"] = outcome.problems
    return body


@router.post("", status_code=201, summary="Define a view or a materialised table", responses=_ERRORS)
async def create_dataset(
    request: Request, identity: Annotated[Identity, Depends(identify)], body: DatasetBody
) -> Any:
    """A view (its query expanded at every read) or a materialised table (the query's result
    written as Parquet now, and again on refresh). ``create`` on the name is needed, and the
    query is planned with your rights: you define only what you may read."""
    gateway, service = _service(request)
    target = parse_name(body.name, body.catalog, body.schema_)
    kind = Kind.VIEW if body.kind == "view" else Kind.TABLE
    statement = CreateDataset(
        kind,
        target,
        _query(body.sql),
        replace=body.replace,
        security=Security(body.security),
        comment=body.description,
    )
    label = f"CREATE {'OR REPLACE ' if body.replace else ''}{kind.value} {target} AS {statement.query}"
    outcome = await gateway.run_dataset_action(
        _request(label, identity, body.catalog, body.schema_),
        lambda: service.create(
            statement, identity, body.catalog, body.schema_, refresh_seconds=body.refresh_seconds
        ),
        "datasets-api",
        _client(request),
    )
    return _answer(outcome)


def _request(
    sql: str, identity: Identity, catalog: str | None = None, schema: str | None = None
) -> QueryRequest:
    return QueryRequest(sql, catalog, schema, "trino", identity.user, tuple(identity.groups))


@router.get("", summary="The datasets you may see", responses=_ERRORS)
async def list_datasets(
    request: Request, identity: Annotated[Identity, Depends(identify)], catalog: str | None = None
) -> Any:
    gateway, service = _service(request)
    return {
        "datasets": [
            describe(d, _sql_shown(gateway, identity, d))
            for d in service.store.all()
            if (catalog is None or d.catalog == catalog.lower()) and _visible(gateway, identity, d)
        ]
    }


@router.get("/{name}", summary="One dataset", responses=_ERRORS)
async def get_dataset(request: Request, identity: Annotated[Identity, Depends(identify)], name: str) -> Any:
    gateway, service = _service(request)
    dataset = _find(gateway, service, identity, name)
    return describe(dataset, _sql_shown(gateway, identity, dataset))


@router.post("/{name}/refresh", summary="Refresh a materialised table now", responses=_ERRORS)
async def refresh_dataset(
    request: Request, identity: Annotated[Identity, Depends(identify)], name: str
) -> Any:
    """Runs its query again with its owner's rights and swaps the new version in atomically;
    a failed refresh keeps the old version and reports (and records) the error. Needs ``alter``."""
    gateway, service = _service(request)
    target = parse_name(name, None, None)
    outcome = await gateway.run_dataset_action(
        _request(f"REFRESH MATERIALIZED VIEW {target}", identity),
        lambda: service.refresh_statement(target, identity),
        "datasets-api",
        _client(request),
    )
    return _answer(outcome)


@router.delete("/{name}", status_code=204, summary="Drop a dataset", responses=_ERRORS)
async def drop_dataset(
    request: Request, identity: Annotated[Identity, Depends(identify)], name: str
) -> Response:
    """Needs ``drop`` on the dataset."""
    gateway, service = _service(request)
    target = parse_name(name, None, None)
    stored = service.store.get(target.catalog, target.schema, target.name)
    kind = stored.kind if stored is not None else Kind.TABLE
    statement = DropDataset(kind, Name(target.catalog, target.schema, target.name))
    await gateway.run_dataset_action(
        _request(f"DROP {kind.value} {target}", identity),
        lambda: service.drop(statement, identity),
        "datasets-api",
        _client(request),
    )
    return Response(status_code=204)
