"""Which catalog entities one user may see, and what of them: the rules behind every metadata answer.

An entity that sits in the resource hierarchy (catalog, schema, table or view, column) is visible
when the user may see that resource, exactly as listings and ``SHOW`` decide it
(:meth:`Authorizer.can_see`). Glossary terms are visible to every signed-in user (they describe
words, not data). Sources (connectors) are visible to admins; a process (a view's SQL, a registered
query) to anyone who may see every one of its inputs and outputs, since its SQL names them all.
Storage location and format are for admins only; a view's SQL is shown to those who may see every
relation it names. Without policies, everything is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from auth.authorizer import Authorizer
from auth.identity import Identity
from auth.sql_visibility import sql_is_visible
from catalog.model import Entity, EntityType

#: a process's inputs and outputs, by the process's guid
ProcessEnds = Callable[[str], Iterable[Entity]]


class CatalogVisibility:
    def __init__(
        self, authorizer: Authorizer | None, identity: Identity, process_ends: ProcessEnds | None = None
    ) -> None:
        self.authorizer = authorizer
        self.identity = identity
        self.is_admin = authorizer is None or authorizer.is_admin(identity)
        self._process_ends = process_ends

    def sees(self, entity: Entity) -> bool:
        if self.authorizer is None or self.is_admin:
            return True
        if entity.type is EntityType.GLOSSARY_TERM:
            return True
        if entity.type is EntityType.SOURCE:
            return False
        if entity.type is EntityType.PROCESS:
            if self._process_ends is None:
                return False
            ends = list(self._process_ends(entity.guid))
            return bool(ends) and all(self.sees(end) for end in ends if end.type is not EntityType.PROCESS)
        path = entity.path
        if path.catalog is None:
            return False
        return self.authorizer.can_see(self.identity, path.catalog, path.schema, path.table, path.column)

    def redact(self, entity: Entity) -> Entity:
        """The entity as this user may read it: storage location and format only for admins; a
        view's SQL only when the user may see every relation it names."""
        if self.is_admin:
            return entity
        view_sql = entity.view_sql
        if view_sql is not None and not sql_is_visible(
            self.authorizer, self.identity, view_sql, entity.path.catalog, entity.path.schema
        ):
            view_sql = None
        return replace(entity, location=None, storage_format=None, view_sql=view_sql)
