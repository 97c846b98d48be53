"""Column-level lineage from SQL text: a view's defining SQL, or a query a steward registers.

sqlglot qualifies the query against the sources' schema and walks every output column back to the
stored columns it is computed from (:func:`sqlglot.lineage.lineage`). The result is one process
entity (Atlas's ``Process``: it reads inputs and writes outputs) and its :class:`LineageEdge` list:
one edge per (input column, output column) pair, plus one per (input table, output table) pair for
every table the query reads, including tables used only in joins and filters.

Accepted statements: ``CREATE [OR REPLACE] VIEW v [(cols)] AS <query>``, ``CREATE TABLE t AS
<query>``, ``INSERT INTO t [(cols)] <query>``, or a bare query with an explicit ``target`` (a view's
body). Nothing is executed. Pass the schema of what the caller may see: a table missing from it is
refused as unknown, so the answer is the same for a table that does not exist and one that is hidden.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage as sqlglot_lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope, traverse_scope
from sqlglot.schema import MappingSchema

from catalog.model import (
    EntityType,
    HarvestedEntity,
    LineageEdge,
    ResourcePath,
    entity_guid,
    qualified_name,
)

#: tells a dataset's type (TABLE or VIEW) from its catalog, schema and name; guids depend on it
DatasetType = Callable[[str, str, str], EntityType]
#: the instance (Atlas's ``trino_instance``, the source) every catalog sits in, or a function of the
#: catalog's name when catalogs sit in different ones
Instance = str | Callable[[str], str]


class LineageError(ValueError):
    """The SQL cannot give lineage: not one supported statement, or it names an unknown table."""


@dataclass(frozen=True, slots=True)
class TableRef:
    catalog: str
    schema: str
    table: str

    def key(self) -> tuple[str, str, str]:
        return (self.catalog.lower(), self.schema.lower(), self.table.lower())


@dataclass(frozen=True, slots=True)
class DerivedLineage:
    """One process, what it writes, and every edge from what it reads."""

    process: HarvestedEntity
    output: TableRef
    output_columns: tuple[str, ...]
    inputs: tuple[TableRef, ...]
    edges: tuple[LineageEdge, ...]
    #: output columns computed from no stored column (literals, ``count(*)``)
    constant_columns: tuple[str, ...] = ()


def _always_table(catalog: str, schema: str, table: str) -> EntityType:
    return EntityType.TABLE


def view_lineage(
    view: HarvestedEntity,
    schema: MappingSchema,
    *,
    columns: Sequence[str] | None = None,
    dialect: str = "trino",
    dataset_type: DatasetType = _always_table,
    instance: Instance | None = None,
) -> DerivedLineage:
    """Lineage of a harvested view from its ``view_sql`` (a bare query or a full CREATE VIEW).

    ``columns`` are the view's column names in position order, when the harvest knows them.
    Unqualified names in the SQL resolve in the view's own catalog and schema. ``instance`` defaults
    to the view's own (every catalog the SQL names is taken to sit in it).
    """
    path = view.path
    if view.type is not EntityType.VIEW or not view.view_sql:
        raise LineageError("only a view with its defining SQL has lineage")
    if path.catalog is None or path.schema is None or path.table is None:
        raise LineageError("a view needs a catalog, a schema and a name")
    if instance is None:
        instance = view.qualified_name.rsplit("@", 1)[-1]
    return derive_lineage(
        view.view_sql,
        schema,
        instance=instance,
        source=view.source,
        name=view.name,
        target=TableRef(path.catalog, path.schema, path.table),
        target_type=EntityType.VIEW,
        columns=columns,
        dialect=dialect,
        default_catalog=path.catalog,
        default_schema=path.schema,
        dataset_type=dataset_type,
        process_suffix="view",
    )


def query_lineage(
    sql: str,
    schema: MappingSchema,
    *,
    instance: Instance,
    name: str,
    source: str,
    target: TableRef | None = None,
    dialect: str = "trino",
    default_catalog: str | None = None,
    default_schema: str | None = None,
    dataset_type: DatasetType = _always_table,
) -> DerivedLineage:
    """Lineage of a query a steward registers under ``name`` (CREATE VIEW/TABLE AS, INSERT ... SELECT,
    or a bare query with ``target``)."""
    if not name.strip():
        raise LineageError("a registered query needs a name")
    return derive_lineage(
        sql,
        schema,
        instance=instance,
        source=source,
        name=name,
        target=target,
        columns=None,
        dialect=dialect,
        default_catalog=default_catalog,
        default_schema=default_schema,
        dataset_type=dataset_type,
        process_suffix="query:" + name.strip().lower(),
    )


def derive_lineage(
    sql: str,
    schema: MappingSchema,
    *,
    instance: Instance,
    source: str,
    name: str,
    target: TableRef | None,
    columns: Sequence[str] | None,
    dialect: str,
    default_catalog: str | None,
    default_schema: str | None,
    dataset_type: DatasetType,
    process_suffix: str,
    target_type: EntityType | None = None,
) -> DerivedLineage:
    statement = _one_statement(sql, dialect)
    query, written, listed, written_type = _split(statement)
    if written is not None and target is None:  # an explicit target (the harvested view) wins
        target = _table_ref(written, default_catalog, default_schema)
    if target is None:
        raise LineageError("a bare query needs a target table or view")
    if written_type is not None:
        target_type = written_type
    if target_type is None:
        target_type = dataset_type(target.catalog, target.schema, target.table)
    if columns is None and listed:
        columns = listed
    if columns is None and isinstance(statement, exp.Insert):
        known = _known_columns(schema, target)
        columns = known or None

    qualified = _qualify(query, schema, dialect, default_catalog, default_schema)
    inputs = _input_tables(qualified, schema, dialect)
    selects = qualified.selects
    output_names = list(columns) if columns is not None else [s.alias_or_name for s in selects]
    if len(output_names) != len(selects):
        raise LineageError(f"the query has {len(selects)} columns but its target names {len(output_names)}")

    try:
        nodes = sqlglot_lineage(None, qualified, schema, dialect=dialect, scope=build_scope(qualified))
    except SqlglotError as exc:
        raise LineageError(f"cannot follow the query's columns: {exc}") from exc

    at = (lambda _catalog: instance) if isinstance(instance, str) else instance
    output_qn = qualified_name(at(target.catalog), target.catalog, target.schema, target.table)
    process_qn = f"{output_qn}:{process_suffix}"
    process_guid = entity_guid(EntityType.PROCESS, process_qn)
    edges: dict[tuple[str, str], LineageEdge] = {}
    constants: list[str] = []
    for select, out_name in zip(selects, output_names, strict=True):
        out_guid = entity_guid(
            EntityType.COLUMN,
            qualified_name(at(target.catalog), target.catalog, target.schema, target.table, out_name),
        )
        found = False
        node = nodes.get(select.alias_or_name)
        for leaf in node.walk() if node is not None else ():
            leaf_ref = _leaf_column(leaf)
            if leaf_ref is None:
                continue
            (catalog, db, table), column = leaf_ref
            in_guid = entity_guid(EntityType.COLUMN, qualified_name(at(catalog), catalog, db, table, column))
            edges.setdefault((in_guid, out_guid), LineageEdge(process_guid, in_guid, out_guid))
            found = True
        if not found:
            constants.append(out_name)

    out_table_guid = entity_guid(target_type, output_qn)
    for ref in inputs:
        in_type = dataset_type(ref.catalog, ref.schema, ref.table)
        in_guid = entity_guid(in_type, qualified_name(at(ref.catalog), ref.catalog, ref.schema, ref.table))
        edges.setdefault((in_guid, out_table_guid), LineageEdge(process_guid, in_guid, out_table_guid))

    process = HarvestedEntity(
        type=EntityType.PROCESS,
        qualified_name=process_qn,
        name=name,
        source=source,
        path=ResourcePath(target.catalog, target.schema, target.table),
        view_sql=sql.strip(),
        fingerprint=hashlib.sha256(f"{process_qn}\n{sql.strip()}".encode()).hexdigest()[:16],
    )
    return DerivedLineage(
        process=process,
        output=target,
        output_columns=tuple(output_names),
        inputs=tuple(inputs),
        edges=tuple(edges.values()),
        constant_columns=tuple(constants),
    )


def _one_statement(sql: str, dialect: str) -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise LineageError(f"the SQL does not parse: {exc}") from exc
    if len(statements) != 1:
        raise LineageError("give exactly one statement")
    return statements[0]


def _split(statement: exp.Expr) -> tuple[exp.Query, exp.Table | None, list[str], EntityType | None]:
    """The query, the table it writes (if the statement names one), its column list, its kind."""
    if isinstance(statement, exp.Query):
        return statement, None, [], None
    if isinstance(statement, exp.Create) and isinstance(statement.expression, exp.Query):
        kind = str(statement.args.get("kind") or "").upper()
        if kind not in ("VIEW", "TABLE"):
            raise LineageError("only CREATE VIEW and CREATE TABLE ... AS give lineage")
        table, listed = _written(statement.this)
        return statement.expression, table, listed, EntityType.VIEW if kind == "VIEW" else EntityType.TABLE
    if isinstance(statement, exp.Insert) and isinstance(statement.expression, exp.Query):
        table, listed = _written(statement.this)
        return statement.expression, table, listed, None
    raise LineageError("lineage needs a query, CREATE VIEW/TABLE ... AS, or INSERT ... SELECT")


def _written(target: exp.Expr) -> tuple[exp.Table, list[str]]:
    if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
        return target.this, [e.name for e in target.expressions]
    if isinstance(target, exp.Table):
        return target, []
    raise LineageError("the statement does not name the table it writes")


def _table_ref(table: exp.Table, default_catalog: str | None, default_schema: str | None) -> TableRef:
    catalog = table.catalog or default_catalog
    db = table.db or default_schema
    if not catalog or not db:
        raise LineageError(f"name {table.name} as catalog.schema.table")
    return TableRef(catalog, db, table.name)


def _known_columns(schema: MappingSchema, target: TableRef) -> list[str]:
    table = exp.table_(target.table, db=target.schema, catalog=target.catalog)
    found = schema.find(table, raise_on_missing=False)
    return list(found) if isinstance(found, dict) else []


def _qualify(
    query: exp.Query,
    schema: MappingSchema,
    dialect: str,
    default_catalog: str | None,
    default_schema: str | None,
) -> exp.Query:
    try:
        qualified = qualify(
            query.copy(),
            dialect=dialect,
            schema=schema,
            catalog=default_catalog,
            db=default_schema,
            validate_qualify_columns=False,
            identify=False,
        )
    except SqlglotError as exc:
        raise LineageError(f"cannot resolve the query's names: {exc}") from exc
    assert isinstance(qualified, exp.Query)
    return qualified


def _input_tables(qualified: exp.Query, schema: MappingSchema, dialect: str) -> list[TableRef]:
    """Every stored table the query reads, in first-seen order; unknown ones are refused."""
    seen: dict[tuple[str, str, str], TableRef] = {}
    for scope in traverse_scope(qualified):
        for source in scope.sources.values():
            if not isinstance(source, exp.Table):
                continue
            if not source.catalog or not source.db:
                raise LineageError(f"name {source.name} as catalog.schema.table")
            if schema.find(source, raise_on_missing=False) is None:
                raise LineageError(f"unknown table {source.catalog}.{source.db}.{source.name}")
            ref = TableRef(source.catalog, source.db, source.name)
            seen.setdefault(ref.key(), ref)
    return list(seen.values())


def _leaf_column(node: object) -> tuple[tuple[str, str, str], str] | None:
    """The stored column a lineage leaf stands for, or None for a non-column leaf."""
    expression = getattr(node, "expression", None)
    if not isinstance(expression, exp.Table) or not expression.catalog or not expression.db:
        return None
    try:
        column = exp.maybe_parse(getattr(node, "name", ""), into=exp.Column)
    except SqlglotError:
        return None
    if not isinstance(column, exp.Column) or not column.name or column.name == "*":
        return None
    return (expression.catalog, expression.db, expression.name), column.name
