"""Catalog entities: read one, and curate it (description, owners, deprecation, classifications,
glossary terms); the glossary itself.

An entity the caller may not see answers exactly as one that does not exist (404
``ENTITY_NOT_FOUND``). Edits need Ranger's ``alter`` on the table, schema or catalog that holds the
entity, as Trino's Ranger plugin asks for comments; every edit is audited (action ``metadata``)
and reaches the policy engine's tags and the search index before the response is sent.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from auth.catalog_visibility import CatalogVisibility
from auth.identity import Identity
from catalog.lineage.graph import MAX_DEPTH, Direction, LineageIndexCache, LineageNotFound, lineage
from catalog.model import Entity, EntityType, GlossaryTerm
from catalog.service import UnknownEntity
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError
from gateway.service import Gateway

router = APIRouter(tags=["catalog"])
Guid = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-fA-F-]+$")]
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\- ]{0,63}$")
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        400: "Invalid request",
        401: "Not authenticated",
        403: "Policy does not allow this edit",
        404: "No such entity (or not visible to the caller)",
    }.items()
}


class ClassificationOut(BaseModel):
    name: str
    attributes: dict[str, str]
    propagate: bool
    #: the guid of the entity it propagated from; null when it was put on this entity
    propagated_from: str | None


class TermRef(BaseModel):
    guid: str
    name: str


class EntityHeader(BaseModel):
    guid: str
    type: str
    qualified_name: str
    name: str
    description: str | None
    data_type: str | None = None
    classifications: list[str] = []


class EntityOut(BaseModel):
    guid: str
    type: str
    qualified_name: str
    name: str
    source: str
    catalog: str | None
    schema_: str | None = Field(serialization_alias="schema")
    table: str | None
    column: str | None
    parent_guid: str | None
    description: str | None
    owners: list[str]
    data_type: str | None
    position: int | None
    nullable: bool | None
    #: administrators only
    storage_format: str | None
    #: administrators only
    location: str | None
    row_count: int | None
    size_bytes: int | None
    view_sql: str | None
    classifications: list[ClassificationOut]
    terms: list[TermRef]
    deprecated: bool
    popularity: int
    created_at: float | None
    updated_at: float | None
    #: what the caller may see below this entity (a table's columns, a schema's tables)
    children: list[EntityHeader]
    #: whether the caller may curate it (description, owners, classifications, terms)
    editable: bool = False


class EntityPatch(BaseModel):
    """Only the fields given are changed; ``description: null`` returns to the source's comment."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=20_000)
    owners: list[Annotated[str, Field(min_length=1, max_length=256)]] | None = Field(None, max_length=50)
    deprecated: bool | None = None


class ClassificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    attributes: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=dict, max_length=32
    )
    #: from a table to its columns and along lineage (Atlas's ``propagate``)
    propagate: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("a classification name starts with a letter: letters, digits, _ . - and spaces")
        return value


class TermIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    glossary: str = Field("default", min_length=1, max_length=128)
    short_description: str | None = Field(None, max_length=1024)
    long_description: str | None = Field(None, max_length=20_000)
    synonyms: list[Annotated[str, Field(max_length=128)]] = Field(default_factory=list, max_length=50)


class TermOut(BaseModel):
    guid: str
    name: str
    glossary: str
    short_description: str | None
    long_description: str | None
    synonyms: list[str]
    #: the entities this term is assigned to that the caller may see
    assigned_entities: list[EntityHeader] = []


class TermList(BaseModel):
    terms: list[TermOut]


# -- helpers -----------------------------------------------------------------------------------
def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def visibility(gateway: Gateway, identity: Identity) -> CatalogVisibility:
    return CatalogVisibility(gateway.authorizer, identity)


def _not_found(guid: str) -> LakegateError:
    return LakegateError(ErrorCode.ENTITY_NOT_FOUND, f"entity {guid} does not exist")


def visible_entity(gateway: Gateway, identity: Identity, guid: str) -> Entity:
    entity = gateway.catalog.entity(guid.lower())
    if entity is None or not visibility(gateway, identity).sees(entity):
        raise _not_found(guid)
    return entity


def header(entity: Entity) -> EntityHeader:
    return EntityHeader(
        guid=entity.guid,
        type=entity.type.value,
        qualified_name=entity.qualified_name,
        name=entity.name,
        description=entity.description,
        data_type=entity.data_type,
        classifications=list(entity.classification_names),
    )


def _entity_out(gateway: Gateway, identity: Identity, entity: Entity) -> EntityOut:
    seen = visibility(gateway, identity)
    shown = seen.redact(entity)
    names = {t.guid: t.name for t in gateway.catalog.terms()}
    children = [header(c) for c in gateway.catalog.children(entity.guid) if seen.sees(c)]
    return EntityOut(
        guid=shown.guid,
        type=shown.type.value,
        qualified_name=shown.qualified_name,
        name=shown.name,
        source=shown.source,
        catalog=shown.path.catalog,
        schema_=shown.path.schema,
        table=shown.path.table,
        column=shown.path.column,
        parent_guid=shown.parent_guid,
        description=shown.description,
        owners=list(shown.owners),
        data_type=shown.data_type,
        position=shown.position,
        nullable=shown.nullable,
        storage_format=shown.storage_format,
        location=shown.location,
        row_count=shown.row_count,
        size_bytes=shown.size_bytes,
        view_sql=shown.view_sql,
        classifications=[
            ClassificationOut(
                name=c.name,
                attributes=dict(c.attributes),
                propagate=c.propagate,
                propagated_from=c.propagated_from,
            )
            for c in shown.classifications
        ],
        terms=[TermRef(guid=t, name=names[t]) for t in shown.terms if t in names],
        deprecated=shown.deprecated,
        popularity=shown.popularity,
        created_at=shown.created_at,
        updated_at=shown.updated_at,
        children=children,
        editable=_may_edit(gateway, identity, entity),
    )


def _may_edit(gateway: Gateway, identity: Identity, entity: Entity) -> bool:
    try:
        _authorize_edit(gateway, identity, entity)
    except LakegateError:
        return False
    return True


def _authorize_edit(gateway: Gateway, identity: Identity, entity: Entity) -> None:
    authorizer = gateway.authorizer
    if authorizer is None:
        return
    path = entity.path
    if path.catalog is None:
        if not authorizer.is_admin(identity):
            raise LakegateError(ErrorCode.ACCESS_DENIED, f"only admins may edit {entity.qualified_name}")
        return
    decision = authorizer.check_alter(identity, path.catalog, path.schema, path.table)
    if not decision.allowed:
        error = LakegateError(
            ErrorCode.ACCESS_DENIED,
            f"editing the metadata of {entity.qualified_name} needs alter on {decision.resource}",
        )
        error.decisions = (decision,)
        raise error


async def _edit(request: Request, identity: Identity, guid: str, change: Any) -> Entity:
    """Authorize, apply, audit and propagate one curation write; returns the entity after it."""
    gateway = _gateway(request)
    client = request.client.host if request.client else None
    entity = visible_entity(gateway, identity, guid)
    try:
        _authorize_edit(gateway, identity, entity)
        try:
            await asyncio.to_thread(change, entity)
        except UnknownEntity as exc:
            raise _not_found(str(exc.args[0]) if exc.args else guid) from None
        await asyncio.to_thread(gateway.catalog_sync.sync)
    except LakegateError as exc:
        await gateway.audit.alog_event(
            action="metadata",
            front_door="native",
            status=exc.status,
            identity=identity,
            client_address=client,
            resources=[entity.path.key() or entity.qualified_name],
            decisions=exc.decisions,
            error_code=exc.code.value,
        )
        raise
    await gateway.audit.alog_event(
        action="metadata",
        front_door="native",
        status=200,
        identity=identity,
        client_address=client,
        resources=[entity.path.key() or entity.qualified_name],
        decision="allowed",
    )
    return visible_entity(gateway, identity, entity.guid)


# -- reading -----------------------------------------------------------------------------------
@router.get(
    "/v1/entities/{guid}", summary="One catalog entity", response_model=EntityOut, responses=_PROBLEMS
)
async def get_entity(
    guid: Guid, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> EntityOut:
    gateway = _gateway(request)
    return _entity_out(gateway, identity, visible_entity(gateway, identity, guid))


@router.get(
    "/v1/entities", summary="A table, view or column by name", response_model=EntityOut, responses=_PROBLEMS
)
async def find_entity(
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    name: Annotated[str, Query(min_length=1, max_length=1024, description="catalog.schema.table[.column]")],
) -> EntityOut:
    gateway = _gateway(request)
    entity = await asyncio.to_thread(gateway.catalog.find, name)
    if entity is None or not visibility(gateway, identity).sees(entity):
        raise LakegateError(ErrorCode.ENTITY_NOT_FOUND, f"{name} does not exist")
    return _entity_out(gateway, identity, entity)


# -- curation ----------------------------------------------------------------------------------
@router.patch(
    "/v1/entities/{guid}", summary="Curate an entity", response_model=EntityOut, responses=_PROBLEMS
)
async def patch_entity(
    guid: Guid, body: EntityPatch, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> EntityOut:
    given = body.model_fields_set
    if not given:
        raise LakegateError(ErrorCode.INVALID_REQUEST, "give description, owners or deprecated")
    if "owners" in given and body.owners is None:
        raise LakegateError(ErrorCode.INVALID_REQUEST, "owners is a list (empty to clear it)")
    if "deprecated" in given and body.deprecated is None:
        raise LakegateError(ErrorCode.INVALID_REQUEST, "deprecated is true or false")
    gateway = _gateway(request)
    fields: dict[str, Any] = {}
    if "description" in given:
        fields["description"] = body.description
    if "owners" in given:
        fields["owners"] = tuple(dict.fromkeys(body.owners or ()))
    if "deprecated" in given:
        fields["deprecated"] = body.deprecated

    def change(entity: Entity) -> None:
        gateway.catalog.update(entity.guid, user=identity.user, **fields)

    entity = await _edit(request, identity, guid, change)
    return _entity_out(gateway, identity, entity)


@router.post(
    "/v1/entities/{guid}/classifications",
    summary="Classify an entity (e.g. PII)",
    response_model=EntityOut,
    responses=_PROBLEMS,
)
async def add_classification(
    guid: Guid, body: ClassificationIn, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> EntityOut:
    gateway = _gateway(request)

    def change(entity: Entity) -> None:
        gateway.catalog.add_classification(
            entity.guid, body.name, user=identity.user, attributes=body.attributes, propagate=body.propagate
        )

    return _entity_out(gateway, identity, await _edit(request, identity, guid, change))


@router.delete(
    "/v1/entities/{guid}/classifications/{name}",
    summary="Remove a classification from an entity",
    response_model=EntityOut,
    responses=_PROBLEMS,
)
async def remove_classification(
    guid: Guid,
    name: Annotated[str, Path(min_length=1, max_length=64)],
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
) -> EntityOut:
    gateway = _gateway(request)

    def change(entity: Entity) -> None:
        if not gateway.catalog.remove_classification(entity.guid, name):
            raise LakegateError(
                ErrorCode.INVALID_REQUEST, f"{entity.qualified_name} is not classified {name}"
            )

    return _entity_out(gateway, identity, await _edit(request, identity, guid, change))


@router.put(
    "/v1/entities/{guid}/terms/{term_guid}",
    summary="Assign a glossary term to an entity",
    response_model=EntityOut,
    responses=_PROBLEMS,
)
async def assign_term(
    guid: Guid, term_guid: Guid, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> EntityOut:
    gateway = _gateway(request)

    def change(entity: Entity) -> None:
        gateway.catalog.assign_term(entity.guid, term_guid.lower())

    return _entity_out(gateway, identity, await _edit(request, identity, guid, change))


@router.delete(
    "/v1/entities/{guid}/terms/{term_guid}",
    summary="Remove a glossary term from an entity",
    response_model=EntityOut,
    responses=_PROBLEMS,
)
async def unassign_term(
    guid: Guid, term_guid: Guid, request: Request, identity: Annotated[Identity, Depends(identify)]
) -> EntityOut:
    gateway = _gateway(request)

    def change(entity: Entity) -> None:
        if not gateway.catalog.unassign_term(entity.guid, term_guid.lower()):
            raise LakegateError(
                ErrorCode.INVALID_REQUEST, f"the term is not assigned to {entity.qualified_name}"
            )

    return _entity_out(gateway, identity, await _edit(request, identity, guid, change))


# -- the glossary ------------------------------------------------------------------------------
def _term_out(gateway: Gateway, identity: Identity, term: GlossaryTerm, *, assigned: bool) -> TermOut:
    entities: list[EntityHeader] = []
    if assigned:
        seen = visibility(gateway, identity)
        entities = [
            header(e)
            for e in gateway.catalog.entities()
            if term.guid in e.terms and e.type is not EntityType.GLOSSARY_TERM and seen.sees(e)
        ]
    return TermOut(
        guid=term.guid,
        name=term.name,
        glossary=term.glossary,
        short_description=term.short_description,
        long_description=term.long_description,
        synonyms=list(term.synonyms),
        assigned_entities=entities,
    )


@router.get("/v1/glossary/terms", summary="Glossary terms", response_model=TermList)
async def list_terms(request: Request, identity: Annotated[Identity, Depends(identify)]) -> TermList:
    gateway = _gateway(request)
    terms = sorted(gateway.catalog.terms(), key=lambda t: (t.glossary, t.name.lower()))
    return TermList(terms=[_term_out(gateway, identity, t, assigned=False) for t in terms])


@router.get(
    "/v1/glossary/terms/{guid}",
    summary="A glossary term and where it is used",
    response_model=TermOut,
    responses=_PROBLEMS,
)
async def get_term(guid: Guid, request: Request, identity: Annotated[Identity, Depends(identify)]) -> TermOut:
    gateway = _gateway(request)
    term = gateway.catalog.term(guid.lower())
    if term is None:
        raise _not_found(guid)
    return _term_out(gateway, identity, term, assigned=True)


@router.post(
    "/v1/glossary/terms",
    summary="Create a glossary term (admins)",
    response_model=TermOut,
    status_code=201,
    responses=_PROBLEMS,
)
async def create_term(
    body: Annotated[TermIn, Body()],
    request: Request,
    response: Response,
    identity: Annotated[Identity, Depends(identify)],
) -> TermOut:
    gateway = _gateway(request)
    authorizer = gateway.authorizer
    client = request.client.host if request.client else None
    if authorizer is not None and not authorizer.is_admin(identity):
        await gateway.audit.alog_event(
            action="metadata",
            front_door="native",
            status=403,
            identity=identity,
            client_address=client,
            resources=[f"glossary:{body.glossary}/{body.name}"],
            error_code=ErrorCode.ACCESS_DENIED.value,
        )
        raise LakegateError(ErrorCode.ACCESS_DENIED, "only admins may create glossary terms")
    term = await asyncio.to_thread(
        gateway.catalog.create_term,
        body.name,
        glossary=body.glossary,
        short_description=body.short_description,
        long_description=body.long_description,
        synonyms=body.synonyms,
    )
    await asyncio.to_thread(gateway.catalog_sync.sync)
    await gateway.audit.alog_event(
        action="metadata",
        front_door="native",
        status=201,
        identity=identity,
        client_address=client,
        resources=[f"glossary:{term.glossary}/{term.name}"],
        decision="allowed",
    )
    response.headers["Location"] = f"/v1/glossary/terms/{term.guid}"
    return _term_out(gateway, identity, term, assigned=False)


# -- lineage -----------------------------------------------------------------------------------
_LINEAGE_CACHE = LineageIndexCache()


@router.get(
    "/v1/lineage/{guid}",
    summary="Upstream and downstream of an entity (Atlas's lineage shape)",
    responses=_PROBLEMS,
)
async def get_lineage(
    guid: Guid,
    request: Request,
    identity: Annotated[Identity, Depends(identify)],
    direction: Annotated[Direction, Query()] = Direction.BOTH,
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 3,
    columns: Annotated[
        bool,
        Query(
            description="also `columnLineage`: the column edges between the tables shown "
            "(`guidEntityMap` of columns with their `tableGuid`, `relations` column to column)"
        ),
    ] = False,
) -> dict[str, Any]:
    """``{baseEntityGuid, lineageDirection, lineageDepth, guidEntityMap, relations}``. What the
    caller may not see is neither shown nor walked through; an invisible base is "not found"."""
    gateway = _gateway(request)
    catalog = gateway.catalog
    index = _LINEAGE_CACHE.get(catalog)

    def ends(process_guid: str) -> list[Entity]:
        found: list[Entity] = []
        for edge in index.by_process.get(process_guid, ()):
            for end in (edge.input_guid, edge.output_guid):
                entity = catalog.entity(end)
                if entity is not None:
                    found.append(entity)
        return found

    seen = CatalogVisibility(gateway.authorizer, identity, ends)
    try:
        return await asyncio.to_thread(
            lineage, catalog, guid.lower(), direction, depth, seen.sees, index=index, columns=columns
        )
    except LineageNotFound:
        raise _not_found(guid) from None
