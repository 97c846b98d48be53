"""Creating, replacing, refreshing, renaming, commenting and dropping datasets, as policy allows.

Every statement is authorised with Ranger's access types on the dataset's resource (as Trino's
Ranger plugin asks them): ``create`` to create or replace, ``drop`` to drop, ``alter`` to rename
(and ``create`` on the new name), comment and refresh. Only workspace catalogs take them; every
other catalog stays read-only (STATEMENT_NOT_ALLOWED). A dataset's query is planned like any
query, with its owner's rights: a user can define only what they may read, and a materialised
table holds what its owner saw (their row filters and masks applied). One change at a time in
this process; after each, the engines, the metadata and the catalog follow (``apply``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify_tables import qualify_tables

from auth.authorizer import Authorizer, Decision
from auth.identity import Identity
from auth.sql_visibility import sql_is_visible
from connectors.base import Cancellation, ColumnInfo, ConnectorError, RoutingHints
from connectors.duckdb.sources import FilesSource, FileTable, ListedView, Source
from gateway.config import LakegateConfig, QueryLimits, WorkspaceSettings
from gateway.datasets.materialise import TooLarge, next_version, remove_old_versions, write_version
from gateway.datasets.model import Column, Dataset, Kind, Security
from gateway.datasets.statements import (
    CommentDataset,
    CreateDataset,
    DropDataset,
    Name,
    RefreshDataset,
    RenameDataset,
    ShowCreate,
    Statement,
)
from gateway.datasets.store import DatasetStore
from gateway.errors import ErrorCode, LakegateError
from gateway.execution import CONNECTOR_ERRORS
from gateway.planner.context import Plan, QueryRequest
from gateway.planner.views import MAX_VIEW_DEPTH, ViewDefinition, ViewKey

log = logging.getLogger(__name__)
_DROPPED = ".dropped"


@dataclass(slots=True)
class Outcome:
    """What a statement answers (Trino's shape: ``result`` true, or ``rows`` for CREATE TABLE AS)."""

    result: pa.Table
    decisions: list[Decision] = field(default_factory=list)
    dataset: Dataset | None = None
    problems: list[str] = field(default_factory=list)


def _done(decisions: list[Decision], dataset: Dataset | None = None) -> Outcome:
    return Outcome(pa.table({"result": pa.array([True], pa.bool_())}), decisions, dataset)


class DatasetService:
    def __init__(
        self,
        config: LakegateConfig,
        store: DatasetStore,
        authorizer: Authorizer | None,
        limits: QueryLimits,
        batch_rows: int,
    ) -> None:
        self.store = store
        self.authorizer = authorizer
        self.limits = limits
        self.batch_rows = batch_rows
        self.workspaces: dict[str, tuple[Path, WorkspaceSettings]] = {
            w.name: (config.resolve_path(w.path), w) for w in config.workspaces
        }
        self._lock = threading.RLock()
        #: set by the gateway: plan a request; bring engines, metadata and planner up to date;
        #: record a dataset in the catalog (returns a problem or None); sync tags and search
        self.plan: Callable[[QueryRequest], Plan] | None = None
        self.apply: Callable[[], object] | None = None
        self.catalogue: Callable[[Dataset, bool], str | None] | None = None
        self.forget: Callable[[Dataset], None] | None = None

    # -- what the engine and the planner see -------------------------------------------------
    def folder(self, catalog: str, schema: str, name: str) -> Path:
        return self.workspaces[catalog][0] / schema / name

    def sources(self) -> list[Source]:
        """One lake source per workspace: its materialised tables' current files, its views listed."""
        by_catalog: dict[str, list[Dataset]] = {name: [] for name in self.workspaces}
        for dataset in self.store.all():
            if dataset.catalog in by_catalog:
                by_catalog[dataset.catalog].append(dataset)
        sources: list[Source] = []
        for name, datasets in by_catalog.items():
            tables = tuple(
                FileTable(
                    d.schema,
                    d.name,
                    self.folder(d.catalog, d.schema, d.name) / d.data_file,
                    "parquet",
                    d.comment,
                    dict(d.column_comments),
                )
                for d in datasets
                if d.kind is Kind.TABLE and d.data_file
            )
            views = tuple(
                ListedView(
                    d.schema,
                    d.name,
                    d.sql,
                    tuple(ColumnInfo(c.name, c.type, True, d.column_comments.get(c.name)) for c in d.columns),
                    d.comment,
                )
                for d in datasets
                if d.kind is Kind.VIEW
            )
            sources.append(FilesSource(name, tables, self.workspaces[name][1].comment, None, views))
        return sources

    def view_definitions(self) -> dict[ViewKey, ViewDefinition]:
        return {
            d.key: ViewDefinition(
                d.key,
                d.sql,
                d.session_catalog,
                d.session_schema,
                d.owner_identity,
                d.security is Security.INVOKER,
                tuple(c.name for c in d.columns),
            )
            for d in self.store.all()
            if d.kind is Kind.VIEW and d.catalog in self.workspaces
        }

    # -- statements ----------------------------------------------------------------------------
    def handles(self, statement: Statement) -> bool:
        """Statements on workspace catalogs, and every write elsewhere (refused here, by name)."""
        if isinstance(statement, ShowCreate):
            return statement.target.catalog in self.workspaces
        return True

    def execute(self, statement: Statement, request: QueryRequest) -> Outcome:
        identity = request.identity
        if isinstance(statement, ShowCreate):
            return self._show_create(statement, identity)
        self._workspace(statement.target)
        if isinstance(statement, CreateDataset):
            return self.create(statement, identity, request.catalog, request.schema)
        if isinstance(statement, DropDataset):
            return self.drop(statement, identity)
        if isinstance(statement, RenameDataset):
            return self.rename(statement, identity)
        if isinstance(statement, CommentDataset):
            return self.comment(statement, identity)
        assert isinstance(statement, RefreshDataset)
        return self.refresh_statement(statement.target, identity)

    def _workspace(self, name: Name) -> Path:
        found = self.workspaces.get(name.catalog)
        if found is None:
            workspaces = ", ".join(sorted(self.workspaces)) or "none is configured"
            raise LakegateError(
                ErrorCode.STATEMENT_NOT_ALLOWED,
                f"{name.catalog} is read-only: datasets are created in workspace catalogs ({workspaces})",
            )
        return found[0]

    def _check(self, identity: Identity, access: str, name: Name, decisions: list[Decision]) -> None:
        if self.authorizer is None:
            return
        decision = self.authorizer.check_access(identity, access, name.catalog, name.schema, name.name)
        decisions.append(decision)
        if not decision.allowed:
            raise LakegateError(
                ErrorCode.ACCESS_DENIED,
                f"Access denied: user {identity.user} cannot {access} {name}",
                resource=str(name),
                access_type=access,
            )

    def _existing(self, name: Name, kind: Kind | None, if_exists: bool = False) -> Dataset | None:
        dataset = self.store.get(name.catalog, name.schema, name.name)
        if dataset is None or (kind is not None and dataset.kind is not kind):
            if if_exists:
                return None
            what = "view" if kind is Kind.VIEW else "table"
            hint = ""
            if dataset is not None:
                hint = f" ({name} is a {'view' if dataset.kind is Kind.VIEW else 'table'})"
            raise LakegateError(ErrorCode.TABLE_NOT_FOUND, f"{what} {name} does not exist{hint}")
        return dataset

    # -- create --------------------------------------------------------------------------------
    def create(
        self,
        statement: CreateDataset,
        identity: Identity,
        session_catalog: str | None,
        session_schema: str | None,
        *,
        refresh_seconds: float | None = None,
    ) -> Outcome:
        name = statement.target
        self._workspace(name)
        decisions: list[Decision] = []
        self._check(identity, "create", name, decisions)
        _check_column_names(statement.query)
        with self._lock:
            existing = self.store.get(name.catalog, name.schema, name.name)
            if existing is not None:
                if statement.if_not_exists:
                    return _done(decisions, existing)
                if not statement.replace or existing.kind is not statement.kind:
                    kind = "view" if existing.kind is Kind.VIEW else "table"
                    raise LakegateError(ErrorCode.ALREADY_EXISTS, f"a {kind} named {name} already exists")
            self._refuse_self_reference(name, statement.query, session_catalog, session_schema)
            plan = self._plan_query(statement.query, identity, session_catalog, session_schema, decisions)
            dataset = Dataset(
                name.catalog,
                name.schema,
                name.name,
                statement.kind,
                statement.query,
                identity.user,
                tuple(identity.groups),
                statement.security,
                session_catalog,
                session_schema,
                statement.comment,
                dict(statement.column_comments),
                refresh_seconds=refresh_seconds if statement.kind is Kind.TABLE else None,
                created_at=existing.created_at if existing is not None else 0.0,
            )
            if statement.kind is Kind.VIEW:
                schema = self._schema_of(plan, identity)
                names = list(statement.columns) or schema.names
                if len(names) != len(schema):
                    raise LakegateError(
                        ErrorCode.SQL_SYNTAX_ERROR,
                        f"the view names {len(names)} columns but its query gives {len(schema)}",
                    )
                _unique(names)
                columns = tuple(Column(n, _type_name(f.type)) for n, f in zip(names, schema, strict=True))
                dataset = self.store.put(replace(dataset, columns=columns))
                outcome = _done(decisions, dataset)
            else:
                if existing is not None:
                    dataset = replace(dataset, version=existing.version, data_file=existing.data_file)
                dataset, rows = self._materialise(dataset, plan, identity)
                outcome = Outcome(pa.table({"rows": pa.array([rows], pa.int64())}), decisions, dataset)
            self._changed(dataset, set_owner=True, outcome=outcome)
            return outcome

    def _plan_query(
        self,
        sql: str,
        identity: Identity,
        catalog: str | None,
        schema: str | None,
        decisions: list[Decision],
    ) -> Plan:
        assert self.plan is not None
        try:
            plan = self.plan(
                QueryRequest(sql, catalog, schema, "trino", identity.user, tuple(identity.groups))
            )
        except LakegateError as exc:
            decisions.extend(exc.decisions)
            raise
        decisions.extend(plan.decisions)
        if plan.kind != "engine" or plan.connector is None or plan.engine_sql is None:
            raise LakegateError(ErrorCode.NOT_SUPPORTED, "a dataset is defined by a query (SELECT ...)")
        return plan

    @contextlib.contextmanager
    def _results(
        self, plan: Plan, identity: Identity, sql: str | None = None
    ) -> Iterator[tuple[pa.Schema, Iterator[pa.RecordBatch]]]:
        assert plan.connector is not None
        assert plan.engine_sql is not None
        cancellation = Cancellation()
        timer = threading.Timer(
            self.limits.timeout_seconds,
            cancellation.cancel,
            (f"timeout: the dataset's query ran longer than {self.limits.timeout_seconds:g} s",),
        )
        timer.daemon = True
        timer.start()
        hints = RoutingHints(
            user=identity.user,
            groups=tuple(identity.groups),
            source="lakegate-datasets",
            catalogs=tuple(sorted({t[0] for t in plan.tables})),
            tables=plan.tables,
        )
        batches: Iterator[pa.RecordBatch] | None = None
        try:
            result = plan.connector.execute(sql or plan.engine_sql, cancellation, self.batch_rows, hints)
            batches = result.batches
            yield result.schema, batches
        except ConnectorError as exc:
            raise _as_lakegate(exc, cancellation) from None
        finally:
            timer.cancel()
            close = getattr(batches, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    def _schema_of(self, plan: Plan, identity: Identity) -> pa.Schema:
        assert plan.engine_sql is not None
        sql = f"SELECT * FROM ({plan.engine_sql}) AS lakegate_view LIMIT 0"
        with self._results(plan, identity, sql) as (schema, batches):
            for _ in batches:
                pass
            return schema

    def _materialise(self, dataset: Dataset, plan: Plan, identity: Identity) -> tuple[Dataset, int]:
        """Write a new version; on failure keep the old one, record and raise the error."""
        folder = self.folder(dataset.catalog, dataset.schema, dataset.name)
        version = next_version(folder, dataset.version)
        started = time.perf_counter()
        try:
            with self._results(plan, identity) as (schema, batches):
                _unique(schema.names)
                written = write_version(
                    folder,
                    version,
                    schema,
                    batches,
                    max_rows=self.limits.max_rows,
                    max_bytes=self.limits.max_bytes,
                )
        except TooLarge as exc:
            error = LakegateError(
                ErrorCode.RESULT_TOO_LARGE, f"the result of {dataset.qualified} exceeds the limit of {exc}"
            )
            self._failed(dataset, error)
            raise error from None
        except LakegateError as exc:
            self._failed(dataset, exc)
            raise
        except OSError as exc:
            log.error("%s could not be written: %s", dataset.qualified, exc)
            error = LakegateError(
                ErrorCode.INTERNAL_ERROR, f"the data of {dataset.qualified} could not be written"
            )
            self._failed(dataset, error)
            raise error from None
        duration = (time.perf_counter() - started) * 1000
        columns = tuple(Column(f.name, _type_name(f.type)) for f in written.schema)
        dataset = self.store.put(
            replace(
                dataset,
                columns=columns,
                version=version,
                data_file=written.file,
                row_count=written.rows,
                size_bytes=written.bytes,
                duration_ms=duration,
                refreshed_at=time.time(),
                last_error=None,
            )
        )
        return dataset, written.rows

    def _failed(self, dataset: Dataset, error: LakegateError) -> None:
        """A failed refresh of an existing table: its old version stays, the error is recorded."""
        stored = self.store.get(*dataset.key)
        if stored is not None and stored.kind is Kind.TABLE:
            self.store.put(replace(stored, last_error=f"{error.code.value}: {error.detail}"))

    # -- refresh ---------------------------------------------------------------------------------
    def refresh_statement(self, name: Name, identity: Identity) -> Outcome:
        decisions: list[Decision] = []
        self._check(identity, "alter", name, decisions)
        outcome = self.refresh(name)
        outcome.decisions[:0] = decisions
        return outcome

    def refresh(self, name: Name) -> Outcome:
        """Run a materialised table's query again with its owner's rights, as a new version."""
        with self._lock:
            dataset = self._existing(name, Kind.TABLE)
            assert dataset is not None
            owner = dataset.owner_identity
            decisions: list[Decision] = []
            try:
                plan = self._plan_query(
                    dataset.sql, owner, dataset.session_catalog, dataset.session_schema, decisions
                )
            except LakegateError as exc:
                self._failed(dataset, exc)
                raise
            dataset, rows = self._materialise(dataset, plan, owner)
            outcome = Outcome(pa.table({"rows": pa.array([rows], pa.int64())}), decisions, dataset)
            self._changed(dataset, set_owner=False, outcome=outcome)
            return outcome

    def refresh_scheduled(self, dataset: Dataset) -> Outcome:
        return self.refresh(Name(dataset.catalog, dataset.schema, dataset.name))

    def due(self, now: float | None = None) -> list[Dataset]:
        """Materialised tables whose schedule says they should be refreshed."""
        now = time.time() if now is None else now
        return [
            d
            for d in self.store.all()
            if d.kind is Kind.TABLE
            and d.refresh_seconds
            and d.catalog in self.workspaces
            and (d.refreshed_at or 0) + d.refresh_seconds <= now
        ]

    # -- drop, rename, comment -------------------------------------------------------------------
    def drop(self, statement: DropDataset, identity: Identity) -> Outcome:
        decisions: list[Decision] = []
        self._check(identity, "drop", statement.target, decisions)
        with self._lock:
            dataset = self._existing(statement.target, statement.kind, statement.if_exists)
            if dataset is None:
                return _done(decisions)
            self.store.delete(dataset)
            outcome = _done(decisions, dataset)
            self._changed(None, set_owner=False, outcome=outcome)
            if self.forget is not None:
                self.forget(dataset)
            if dataset.kind is Kind.TABLE:
                _mark_dropped(self.folder(*dataset.key))
            return outcome

    def rename(self, statement: RenameDataset, identity: Identity) -> Outcome:
        old, new = statement.target, statement.new
        decisions: list[Decision] = []
        self._check(identity, "alter", old, decisions)
        if new.catalog != old.catalog:
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED, f"a dataset is renamed within its catalog ({old.catalog})"
            )
        self._check(identity, "create", new, decisions)
        with self._lock:
            dataset = self._existing(old, statement.kind, statement.if_exists)
            if dataset is None:
                return _done(decisions)
            if self.store.get(new.catalog, new.schema, new.name) is not None:
                raise LakegateError(ErrorCode.ALREADY_EXISTS, f"{new} already exists")
            renamed = replace(dataset, schema=new.schema, name=new.name)
            if dataset.kind is Kind.TABLE and dataset.data_file:
                # the new name gets its own folder (a hard link: no copy), under a version number
                # no file left there by an earlier dataset of that name has; the old folder is
                # removed once queries planned on it are over
                target = self.folder(*renamed.key)
                target.mkdir(parents=True, exist_ok=True)
                version = next_version(target, dataset.version)
                data_file = f"v{version}.parquet"
                (target / data_file).hardlink_to(self.folder(*dataset.key) / dataset.data_file)
                renamed = replace(renamed, version=version, data_file=data_file)
            renamed = self.store.rename(dataset, renamed)
            outcome = _done(decisions, renamed)
            if self.forget is not None:
                self.forget(dataset)
            self._changed(renamed, set_owner=True, outcome=outcome)
            if dataset.kind is Kind.TABLE:
                _mark_dropped(self.folder(*dataset.key))
            return outcome

    def comment(self, statement: CommentDataset, identity: Identity) -> Outcome:
        decisions: list[Decision] = []
        self._check(identity, "alter", statement.target, decisions)
        kind = {"TABLE": Kind.TABLE, "VIEW": Kind.VIEW}.get(statement.kind)
        with self._lock:
            dataset = self._existing(statement.target, kind)
            assert dataset is not None
            if statement.column is None:
                dataset = replace(dataset, comment=statement.text)
            else:
                if statement.column not in {c.name for c in dataset.columns}:
                    raise LakegateError(
                        ErrorCode.COLUMN_NOT_FOUND,
                        f"column {statement.column} of {statement.target} does not exist",
                    )
                comments = dict(dataset.column_comments)
                if statement.text is None:
                    comments.pop(statement.column, None)
                else:
                    comments[statement.column] = statement.text
                dataset = replace(dataset, column_comments=comments)
            dataset = self.store.put(dataset)
            outcome = _done(decisions, dataset)
            self._changed(dataset, set_owner=False, outcome=outcome)
            return outcome

    def _show_create(self, statement: ShowCreate, identity: Identity) -> Outcome:
        name = statement.target
        if self.authorizer is not None and not self.authorizer.can_see(
            identity, name.catalog, name.schema, name.name
        ):
            raise LakegateError(
                ErrorCode.ACCESS_DENIED,
                f"Access denied: user {identity.user} cannot show {name}",
                resource=str(name),
                access_type="show",
            )
        dataset = self._existing(name, None)
        assert dataset is not None
        if not sql_is_visible(self.authorizer, identity, dataset.sql, dataset.catalog, dataset.schema):
            # its text names relations this user may not see (no names in the message either)
            raise LakegateError(
                ErrorCode.ACCESS_DENIED,
                f"Access denied: user {identity.user} cannot show the definition of {name}: "
                "it reads relations you may not see",
                resource=str(name),
                access_type="show",
            )
        if dataset.kind is not statement.kind:
            actual = "view" if dataset.kind is Kind.VIEW else "table"
            raise LakegateError(
                ErrorCode.NOT_SUPPORTED,
                f"relation {name} is a {actual}, not a {statement.kind.value.lower()}",
            )
        return Outcome(
            pa.table({f"Create {statement.kind.value.title()}": pa.array([show_create(dataset)])}),
            [],
            dataset,
        )

    # -- after a change ------------------------------------------------------------------------
    def _changed(self, dataset: Dataset | None, *, set_owner: bool, outcome: Outcome) -> None:
        if self.apply is not None:
            self.apply()
        if dataset is not None and self.catalogue is not None:
            problem = self.catalogue(dataset, set_owner)
            if problem:
                outcome.problems.append(problem)
        self.collect_garbage()

    def collect_garbage(self) -> None:
        """Old versions and dropped folders, once no query planned on them can still run."""
        for catalog, (root, settings) in self.workspaces.items():
            keep = settings.keep_old_versions_seconds
            current = {d.key: d for d in self.store.all() if d.catalog == catalog}
            if not root.is_dir():
                continue
            for schema_dir in root.iterdir():
                if not schema_dir.is_dir():
                    continue
                for folder in schema_dir.iterdir():
                    if not folder.is_dir():
                        continue
                    key = (catalog, schema_dir.name, folder.name)
                    marker = folder / _DROPPED
                    dataset = current.get(key)
                    if dataset is not None and dataset.kind is Kind.TABLE:
                        with contextlib.suppress(OSError):
                            marker.unlink()  # dropped, then created again
                        remove_old_versions(folder, dataset.data_file, keep)
                    elif marker.exists() and time.time() - marker.stat().st_mtime >= keep:
                        for path in folder.iterdir():
                            with contextlib.suppress(OSError):
                                path.unlink()
                        with contextlib.suppress(OSError):
                            folder.rmdir()

    # -- self reference ----------------------------------------------------------------------
    def _refuse_self_reference(self, target: Name, sql: str, catalog: str | None, schema: str | None) -> None:
        """A dataset whose query reaches itself (directly or through views) is refused."""
        datasets: Mapping[ViewKey, Dataset] = {d.key: d for d in self.store.all()}
        key = (target.catalog, target.schema, target.name)

        def walk(text: str, cat: str | None, sch: str | None, depth: int) -> None:
            if depth > MAX_VIEW_DEPTH:
                return
            for ref in _tables_of(text, cat, sch):
                if ref == key:
                    raise LakegateError(
                        ErrorCode.INVALID_VIEW,
                        f"{target} cannot be defined on itself (directly or through views)",
                    )
                found = datasets.get(ref)
                if found is not None and found.kind is Kind.VIEW:
                    walk(found.sql, found.session_catalog, found.session_schema, depth + 1)

        walk(sql, catalog, schema, 0)


def _tables_of(sql: str, catalog: str | None, schema: str | None) -> set[ViewKey]:
    try:
        tree = sqlglot.parse_one(sql, read="trino")
        tree = qualify_tables(tree, db=schema or None, catalog=catalog or None, dialect="trino")
    except (SqlglotError, ValueError):
        return set()  # the planner reports it
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    out: set[ViewKey] = set()
    for table in tree.find_all(exp.Table):
        if not table.db and table.name.lower() in ctes:
            continue
        if table.catalog and table.db:
            out.add((table.catalog.lower(), table.db.lower(), table.name.lower()))
    return out


def _check_column_names(sql: str) -> None:
    """As Trino: every column of a dataset has a name (``SELECT count(*)`` needs ``AS n``)."""
    try:
        tree = sqlglot.parse_one(sql, read="trino")
    except SqlglotError:
        return  # the planner gives the syntax error
    while isinstance(tree, exp.SetOperation):
        tree = tree.left
    if not isinstance(tree, exp.Select):
        return
    for position, projection in enumerate(tree.expressions, start=1):
        if not isinstance(projection, exp.Alias | exp.Column | exp.Star):
            raise LakegateError(
                ErrorCode.SQL_SYNTAX_ERROR,
                f"column {position} of the dataset's query has no name: add AS name",
            )


def _unique(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise LakegateError(
                ErrorCode.SQL_SYNTAX_ERROR, f"the dataset's query gives column {name} twice: rename one (AS)"
            )
        seen.add(name.lower())


def _type_name(dtype: pa.DataType) -> str:
    """Trino's name for an Arrow type (as the Trino front door shows it)."""
    from gateway.frontdoors.trino.types import trino_type  # the door imports the gateway

    return trino_type(dtype).display


def _mark_dropped(folder: Path) -> None:
    if folder.is_dir():
        (folder / _DROPPED).touch()


def _as_lakegate(exc: ConnectorError, cancellation: Cancellation) -> LakegateError:
    if exc.kind == "canceled":
        timeout = cancellation.reason.startswith("timeout")
        return LakegateError(
            ErrorCode.QUERY_TIMEOUT if timeout else ErrorCode.QUERY_CANCELED, cancellation.reason
        )
    return LakegateError(CONNECTOR_ERRORS.get(exc.kind, ErrorCode.ENGINE_ERROR), exc.message)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def show_create(dataset: Dataset) -> str:
    """Trino's SHOW CREATE VIEW / SHOW CREATE TABLE text for a dataset."""
    if dataset.kind is Kind.VIEW:
        comment = f" COMMENT {_literal(dataset.comment)}" if dataset.comment else ""
        return f"CREATE VIEW {dataset.qualified}{comment} SECURITY {dataset.security.value} AS\n{dataset.sql}"
    columns = ",\n".join(
        f"   {c.name} {c.type}"
        + (
            f" COMMENT {_literal(dataset.column_comments[c.name])}"
            if c.name in dataset.column_comments
            else ""
        )
        for c in dataset.columns
    )
    comment = f"\nCOMMENT {_literal(dataset.comment)}" if dataset.comment else ""
    return f"CREATE TABLE {dataset.qualified} (\n{columns}\n){comment}\nWITH (\n   format = 'PARQUET'\n)"
