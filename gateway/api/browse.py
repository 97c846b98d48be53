"""Browse what the caller may query: catalogs, schemas, tables, columns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from auth.identity import Identity
from auth.visible_metadata import VisibleMetadata
from gateway.api.identity import identify
from gateway.errors import ErrorCode, LakegateError
from gateway.service import Gateway

router = APIRouter(prefix="/v1/catalogs", tags=["browse"])
Name = Annotated[str, Path(max_length=256)]


class CatalogItem(BaseModel):
    name: str
    connector: str
    comment: str | None


class CatalogList(BaseModel):
    catalogs: list[CatalogItem]


class SchemaItem(BaseModel):
    name: str


class SchemaList(BaseModel):
    catalog: str
    schemas: list[SchemaItem]


class TableItem(BaseModel):
    name: str
    type: str
    comment: str | None


class TableList(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    catalog: str
    schema_: str = Field(alias="schema")
    tables: list[TableItem]


class ColumnItem(BaseModel):
    name: str
    type: str
    nullable: bool
    comment: str | None


class TableDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    catalog: str
    schema_: str = Field(alias="schema")
    name: str
    type: str
    comment: str | None
    columns: list[ColumnItem]


def browsing_identity(
    request: Request, identity: Annotated[Identity, Depends(identify)]
) -> Iterator[Identity]:
    """The caller, with the browse request audited once it has been answered."""
    gateway = _gateway(request)
    client = request.client.host if request.client else None
    try:
        yield identity
    except LakegateError as exc:
        gateway.audit.log_event(
            action="browse",
            front_door="native",
            status=exc.status,
            identity=identity,
            client_address=client,
            resources=[request.url.path],
            error_code=exc.code.value,
        )
        raise
    gateway.audit.log_event(
        action="browse",
        front_door="native",
        status=200,
        identity=identity,
        client_address=client,
        resources=[request.url.path],
    )


_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown catalog, schema or table", "content": {"application/problem+json": {}}}
}


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _visible(request: Request, identity: Identity) -> VisibleMetadata:
    gateway = _gateway(request)
    return VisibleMetadata(gateway.snapshot, gateway.authorizer, identity)


def _schema(visible: VisibleMetadata, catalog: str, schema: str) -> str:
    if visible.catalog(catalog) is None:
        raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"catalog {catalog!r} does not exist")
    real = visible.schema_name(catalog, schema)
    if real is None:
        raise LakegateError(ErrorCode.SCHEMA_NOT_FOUND, f"schema {catalog}.{schema} does not exist")
    return real


@router.get("", summary="Catalogs", response_model=CatalogList)
async def list_catalogs(
    request: Request, identity: Annotated[Identity, Depends(browsing_identity)]
) -> CatalogList:
    return CatalogList(
        catalogs=[
            CatalogItem(name=c.name, connector=c.connector, comment=c.comment)
            for c in _visible(request, identity).catalogs()
        ]
    )


@router.get(
    "/{catalog}/schemas", summary="Schemas of a catalog", response_model=SchemaList, responses=_NOT_FOUND
)
async def list_schemas(
    catalog: Name, request: Request, identity: Annotated[Identity, Depends(browsing_identity)]
) -> SchemaList:
    visible = _visible(request, identity)
    info = visible.catalog(catalog)
    if info is None:
        raise LakegateError(ErrorCode.CATALOG_NOT_FOUND, f"catalog {catalog!r} does not exist")
    return SchemaList(catalog=info.name, schemas=[SchemaItem(name=s) for s in visible.schemas(catalog)])


@router.get(
    "/{catalog}/schemas/{schema}/tables",
    summary="Tables of a schema",
    response_model=TableList,
    responses=_NOT_FOUND,
)
async def list_tables(
    catalog: Name, schema: Name, request: Request, identity: Annotated[Identity, Depends(browsing_identity)]
) -> TableList:
    visible = _visible(request, identity)
    real = _schema(visible, catalog, schema)
    tables = visible.tables(catalog, real)
    return TableList(
        catalog=catalog.lower(),
        schema_=real,
        tables=[TableItem(name=t.name, type=t.kind, comment=t.comment) for t in tables],
    )


@router.get(
    "/{catalog}/schemas/{schema}/tables/{table}",
    summary="A table and its columns",
    response_model=TableDetail,
    responses=_NOT_FOUND,
)
async def describe_table(
    catalog: Name,
    schema: Name,
    table: Name,
    request: Request,
    identity: Annotated[Identity, Depends(browsing_identity)],
) -> TableDetail:
    visible = _visible(request, identity)
    real = _schema(visible, catalog, schema)
    info = visible.table(catalog, real, table)
    if info is None:
        raise LakegateError(ErrorCode.TABLE_NOT_FOUND, f"table {catalog}.{real}.{table} does not exist")
    return TableDetail(
        catalog=info.catalog,
        schema_=info.schema,
        name=info.name,
        type=info.kind,
        comment=info.comment,
        columns=[
            ColumnItem(name=c.name, type=c.type, nullable=c.nullable, comment=c.comment) for c in info.columns
        ],
    )
