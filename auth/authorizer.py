"""Lakegate's questions to the Ranger policy engine, in Lakegate's terms.

One object answers both "may this user read these columns?" and "what may this user see?", so
listings, search and queries are filtered by the same rules. Decisions carry the deciding
policy; every answer is cached under the policy version, so a reload invalidates them all.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from cachetools import LRUCache

from auth.identity import Identity
from auth.policy import AccessRequest, MatchingScope, PolicyEngine, Tag, load_bundle
from auth.policy.request import MatchType
from auth.policy.results import DataMaskResult, RowFilterResult

log = logging.getLogger(__name__)

TableKey = tuple[str, str, str]
#: a classification from the catalog: its name, or its name and attributes
CatalogTag = str | tuple[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    resource: str
    access_type: str
    policy_id: int
    reason: str | None = None


class Authorizer:
    """Policy decisions for one policy bundle, reloaded from disk when the file changes."""

    def __init__(
        self,
        policy_file: Path,
        *,
        service_type: str = "trino",
        tags: Mapping[str, Iterable[str]] | None = None,
        admin_users: Iterable[str] = (),
        admin_groups: Iterable[str] = (),
        reload_seconds: float = 5.0,
    ) -> None:
        self.policy_file = policy_file
        self.service_type = service_type
        self.admin_users = frozenset(admin_users)
        self.admin_groups = frozenset(admin_groups)
        self.reload_seconds = reload_seconds
        self._config_tags = {key.lower(): tuple(values) for key, values in (tags or {}).items()}
        self._tag_version = ""
        self._tags = _TagIndex({k: tuple((name, {}) for name in v) for k, v in self._config_tags.items()})
        self._lock = threading.Lock()
        self._cache: LRUCache[tuple[object, ...], object] = LRUCache(maxsize=100_000)
        self._checked = 0.0
        self._mtime = 0.0
        self.engine: PolicyEngine = self._load()

    # -- policies -------------------------------------------------------------------------
    def _load(self) -> PolicyEngine:
        self._mtime = os.stat(self.policy_file).st_mtime
        engine = load_bundle(self.policy_file, service_type=self.service_type).engine()
        log.info("policies loaded from %s (version %s)", self.policy_file, engine_version(engine))
        return engine

    def refresh_due(self) -> bool:
        return time.monotonic() - self._checked >= self.reload_seconds

    def refresh(self, force: bool = False) -> bool:
        """Reload the policies if their file changed (checked at most every reload_seconds, or
        now when ``force``). False when the file could not be loaded (the last good policies
        stay)."""
        now = time.monotonic()
        if not force and now - self._checked < self.reload_seconds:
            return True
        with self._lock:
            self._checked = now
            try:
                mtime = os.stat(self.policy_file).st_mtime
                if force or mtime != self._mtime:
                    self.engine = self._load()
                    self._cache.clear()
            except Exception:  # a broken edit keeps the last good policies
                log.exception(
                    "policy reload from %s failed; keeping version %s", self.policy_file, self.version
                )
                return False
        return True

    @property
    def version(self) -> str:
        """The policies' version, and the catalog's classifications' when it feeds tags."""
        policies = engine_version(self.engine)
        return f"{policies}+tags:{self._tag_version}" if self._tag_version else policies

    def tagged_tables(self) -> frozenset[str]:
        """``catalog.schema.table`` (lower case) of the tables holding configured or catalog tags."""
        return self._tags.table_keys()

    def is_admin(self, identity: Identity) -> bool:
        return identity.user in self.admin_users or bool(self.admin_groups & set(identity.groups))

    # -- tags -----------------------------------------------------------------------------
    def set_catalog_tags(self, tags: Mapping[str, Iterable[CatalogTag]], version: str) -> None:
        """Classifications from the metadata catalog, on top of the configured ones.

        ``tags`` maps ``catalog.schema.table[.column]`` to classification names, or to (name,
        attributes) pairs: tag policies' conditions read the attributes (``TAG.kind``,
        ``HAS_TAG_ATTR('kind')``). Every cached decision is dropped and :attr:`version` changes,
        so cached plans are not reused: a tag added in the catalog masks a column from the next
        query on.
        """
        merged: dict[str, dict[str, Mapping[str, str]]] = {
            key: {name: {} for name in names} for key, names in self._config_tags.items()
        }
        for key, values in tags.items():
            bucket = merged.setdefault(key.lower(), {})
            for value in values:
                name, attributes = (value, {}) if isinstance(value, str) else value
                bucket.setdefault(name, dict(attributes))
        index = _TagIndex({key: tuple(bucket.items()) for key, bucket in merged.items()})
        with self._lock:
            self._tags = index
            self._tag_version = version
            self._cache.clear()

    def _tags_for(self, catalog: str, schema: str, table: str | None, column: str | None) -> tuple[Tag, ...]:
        if table is None:
            return ()
        return self._tags.tags_for(f"{catalog}.{schema}.{table}".lower(), column)

    def _request(
        self,
        identity: Identity,
        access_type: str,
        catalog: str,
        schema: str | None = None,
        table: str | None = None,
        column: str | None = None,
        scope: MatchingScope = MatchingScope.SELF,
    ) -> AccessRequest:
        resource = {"catalog": catalog, "schema": schema, "table": table, "column": column}
        return AccessRequest.create(
            resource,
            access_type,
            identity.user,
            identity.groups,
            tags=self._tags_for(catalog, schema or "", table, column),
            matching_scope=scope,
        )

    # -- questions ------------------------------------------------------------------------
    def check_select(self, identity: Identity, table: TableKey, column: str | None) -> Decision:
        """One select check: per column, as Trino's Ranger plugin does; None = table level."""
        key = ("select", identity.user, identity.groups, table, column)
        cached = self._cache.get(key)
        if isinstance(cached, Decision):
            return cached
        result = self.engine.is_access_allowed(self._request(identity, "select", *table, column))
        name = ".".join(table) + (f".{column}" if column else "")
        decision = Decision(result.allowed, name, "select", result.policy_id, result.reason)
        self._cache[key] = decision
        return decision

    def check_alter(
        self, identity: Identity, catalog: str, schema: str | None, table: str | None
    ) -> Decision:
        """May this user change the metadata of this resource (descriptions, owners, tags, terms)?

        Trino's Ranger plugin asks for ``alter`` on the table to set a table's or a column's
        comment (``checkCanSetTableComment``/``checkCanSetColumnComment``); the catalog asks the
        same of every metadata edit, on the table, schema or catalog that holds the entity.
        """
        key = ("alter", identity.user, identity.groups, catalog, schema, table)
        cached = self._cache.get(key)
        if isinstance(cached, Decision):
            return cached
        result = self.engine.is_access_allowed(self._request(identity, "alter", catalog, schema, table))
        name = ".".join(p for p in (catalog, schema, table) if p is not None)
        decision = Decision(result.allowed, name, "alter", result.policy_id, result.reason)
        self._cache[key] = decision
        return decision

    def check_access(
        self, identity: Identity, access_type: str, catalog: str, schema: str | None, table: str | None
    ) -> Decision:
        """One Ranger decision for ``access_type`` (``create``, ``drop``, ``alter``, ...) on a
        catalog, schema or table: what defining, renaming and dropping datasets ask."""
        if access_type == "alter":
            return self.check_alter(identity, catalog, schema, table)
        key = (access_type, identity.user, identity.groups, catalog, schema, table)
        cached = self._cache.get(key)
        if isinstance(cached, Decision):
            return cached
        result = self.engine.is_access_allowed(self._request(identity, access_type, catalog, schema, table))
        name = ".".join(p for p in (catalog, schema, table) if p is not None)
        decision = Decision(result.allowed, name, access_type, result.policy_id, result.reason)
        self._cache[key] = decision
        return decision

    def can_see(
        self,
        identity: Identity,
        catalog: str,
        schema: str | None = None,
        table: str | None = None,
        column: str | None = None,
    ) -> bool:
        """Any access to the resource or something below it: what listings and SHOW show."""
        key = ("see", identity.user, identity.groups, catalog, schema, table, column)
        cached = self._cache.get(key)
        if isinstance(cached, bool):
            return cached
        request = self._request(
            identity, "", catalog, schema, table, column, MatchingScope.SELF_OR_DESCENDANTS
        )
        # A denied column must not hide its table, schema or catalog from listings.
        request = replace(request, ignore_descendant_deny=True)
        allowed = self.engine.is_access_allowed(request).allowed
        self._cache[key] = allowed
        return allowed

    def row_filter(self, identity: Identity, table: TableKey) -> RowFilterResult:
        key = ("filter", identity.user, identity.groups, table)
        cached = self._cache.get(key)
        if isinstance(cached, RowFilterResult):
            return cached
        result = self.engine.get_row_filter(self._request(identity, "select", *table))
        self._cache[key] = result
        return result

    def data_mask(self, identity: Identity, table: TableKey, column: str) -> DataMaskResult:
        key = ("mask", identity.user, identity.groups, table, column)
        cached = self._cache.get(key)
        if isinstance(cached, DataMaskResult):
            return cached
        result = self.engine.get_data_mask(self._request(identity, "select", *table, column))
        if result.mask_type and ":" in result.mask_type:
            # Tag policies name mask types with their component, e.g. "trino:MASK".
            result = replace(result, mask_type=result.mask_type.split(":", 1)[1])
        self._cache[key] = result
        return result


class _TagIndex:
    """Tags by table, then by column (None: on the table itself), for lookups in O(tags of one table)."""

    def __init__(self, tags: Mapping[str, tuple[tuple[str, Mapping[str, str]], ...]]) -> None:
        self._tables: dict[str, dict[str | None, tuple[tuple[str, Mapping[str, str]], ...]]] = {}
        for key, values in tags.items():
            if not values:
                continue
            parts = key.lower().split(".")
            if len(parts) == 3:
                self._tables.setdefault(key.lower(), {})[None] = values
            elif len(parts) == 4:
                self._tables.setdefault(".".join(parts[:3]), {})[parts[3]] = values

    def table_keys(self) -> frozenset[str]:
        """``catalog.schema.table`` of every table that holds a tag (on itself or a column)."""
        return frozenset(self._tables)

    def tags_for(self, table_key: str, column: str | None) -> tuple[Tag, ...]:
        entry = self._tables.get(table_key)
        if entry is None:
            return ()
        found: list[Tag] = []
        for name, attributes in entry.get(None, ()):
            found.append(Tag(name, attributes, MatchType.SELF if column is None else MatchType.ANCESTOR))
        if column is not None:
            found.extend(
                Tag(name, attributes, MatchType.SELF) for name, attributes in entry.get(column.lower(), ())
            )
        else:
            for column_name, tags in entry.items():
                if column_name is not None:
                    found.extend(Tag(name, attributes, MatchType.DESCENDANT) for name, attributes in tags)
        return tuple(found)


def engine_version(engine: PolicyEngine) -> str:
    return str(engine.version)
