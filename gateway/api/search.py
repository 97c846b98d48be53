"""Metadata search: ``GET /v1/search`` and ``GET /v1/suggest``.

The caller's permissions are compiled into the index query (see ``catalog.search.visibility``):
hits, totals, facet counts, highlights, matched columns and suggestions are all computed over what
the caller may see, never filtered afterwards. Each search is audited (action ``browse``).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from auth.identity import Identity
from catalog.search import (
    FacetField,
    SearchBackendError,
    SearchQuery,
    SearchRequestError,
    SearchResult,
    SortOrder,
)
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError
from gateway.service import Gateway

router = APIRouter(tags=["search"])
Values = Annotated[list[Annotated[str, Query(min_length=1, max_length=256)]] | None, Query(max_length=20)]
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        400: "Invalid search",
        401: "Not authenticated",
        503: "The search backend is unavailable",
    }.items()
}


class HighlightOut(BaseModel):
    field: str
    #: the field's text, HTML-escaped, with matched words in <em>…</em>
    fragment: str


class HitOut(BaseModel):
    guid: str
    type: str
    qualified_name: str
    name: str
    score: float
    description: str | None
    source: str | None
    parent_guid: str | None
    #: table and view hits: the visible columns whose names or descriptions match
    matched_columns: list[str]
    highlights: list[HighlightOut]
    popularity: int
    deprecated: bool


class FacetValue(BaseModel):
    value: str
    count: int


class SearchAnswer(BaseModel):
    total: int
    offset: int
    limit: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValue]]


class SuggestionOut(BaseModel):
    guid: str
    type: str
    name: str
    qualified_name: str


class SuggestAnswer(BaseModel):
    suggestions: list[SuggestionOut]


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def _audited(request: Request, identity: Identity, what: str, error: LakegateError | None) -> None:
    gateway = _gateway(request)
    record = gateway.audit.event_record(
        action="browse",
        front_door="native",
        status=error.status if error is not None else 200,
        identity=identity,
        client_address=request.client.host if request.client else None,
        resources=[what],
        error_code=error.code.value if error is not None else None,
    )
    # group-committed with other requests' records, durable before the answer leaves
    await gateway.recorded(gateway.audit.submit(record))


def _failure(exc: Exception) -> LakegateError:
    if isinstance(exc, SearchRequestError):
        return LakegateError(ErrorCode.INVALID_REQUEST, str(exc))
    return LakegateError(ErrorCode.ENGINE_UNAVAILABLE, "the search backend does not answer; retry shortly")


@router.get(
    "/v1/search", summary="Search the metadata catalog", response_model=SearchAnswer, responses=_PROBLEMS
)
async def search(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    q: Annotated[str, Query(max_length=500, description="words, names or qualified names")] = "",
    type: Values = None,
    source: Values = None,
    catalog: Values = None,
    schema: Values = None,
    owner: Values = None,
    classification: Values = None,
    term: Values = None,
    format: Values = None,
    facet: Annotated[list[FacetField] | None, Query(max_length=8, description="fields to count")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    sort: SortOrder = SortOrder.RELEVANCE,
    highlight: bool = True,
) -> SearchAnswer:
    given = {
        FacetField.TYPE: type,
        FacetField.SOURCE: source,
        FacetField.CATALOG: catalog,
        FacetField.SCHEMA: schema,
        FacetField.OWNER: owner,
        FacetField.CLASSIFICATION: classification,
        FacetField.TERM: term,
        FacetField.FORMAT: format,
    }
    query = SearchQuery(
        text=q,
        filters={k: tuple(v) for k, v in given.items() if v},
        facets=tuple(dict.fromkeys(facet or ())),
        offset=offset,
        limit=limit,
        sort=sort,
        highlight=highlight,
    )
    gateway = _gateway(request)
    try:
        result: SearchResult = await asyncio.to_thread(gateway.search.search, identity, query)
    except (SearchRequestError, SearchBackendError) as exc:
        error = _failure(exc)
        await _audited(request, identity, "search", error)
        raise error from None
    await _audited(request, identity, "search", None)
    return SearchAnswer(
        total=result.total,
        offset=offset,
        limit=limit,
        hits=[HitOut(**asdict(hit)) for hit in result.hits],
        facets={
            name: [FacetValue(value=c.value, count=c.count) for c in counts]
            for name, counts in result.facets.items()
        },
    )


@router.get(
    "/v1/suggest", summary="Complete a name as it is typed", response_model=SuggestAnswer, responses=_PROBLEMS
)
async def suggest(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> SuggestAnswer:
    gateway = _gateway(request)
    try:
        found = await asyncio.to_thread(gateway.search.suggest, identity, q, limit)
    except (SearchRequestError, SearchBackendError) as exc:
        raise _failure(exc) from None
    return SuggestAnswer(suggestions=[SuggestionOut(**asdict(s)) for s in found])
