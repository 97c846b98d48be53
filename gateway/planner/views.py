"""What the planner knows of the workspace views it expands: their SQL and whose rights read it."""

from __future__ import annotations

from dataclasses import dataclass

from auth.identity import Identity

#: (catalog, schema, name) in lower case
ViewKey = tuple[str, str, str]
#: views expanded inside views, at most this deep
MAX_VIEW_DEPTH = 16


@dataclass(frozen=True, slots=True)
class ViewDefinition:
    key: ViewKey
    sql: str  # the defining query, Trino dialect
    session_catalog: str | None
    session_schema: str | None
    owner: Identity
    #: True: SECURITY INVOKER (the reader's rights read the sources); False: DEFINER (the owner's)
    invoker: bool
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.key)
