"""The few Atlas REST calls import and export make, through the ``apache-atlas`` client, as plain JSON.

The client (``apache_atlas.client.base_client.AtlasClient``) is untyped and wraps answers in its
own dict subclasses; :class:`AtlasPort` hands back plain ``dict``/``list`` values and turns every
failure into :class:`AtlasError` carrying the HTTP status, so callers never see the client's
exception (whose text holds the whole response body).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

JSON = dict[str, Any]

#: the client puts the status into its exception's message: "... failed with status 404. ..."
_STATUS = re.compile(r"failed with status (\d{3})")


class AtlasError(RuntimeError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def connect(url: str, user: str, password: str) -> AtlasPort:
    """An Atlas client for ``url`` (e.g. ``http://atlas:21000``) with HTTP Basic credentials."""
    from apache_atlas.client.base_client import AtlasClient

    return AtlasPort(AtlasClient(url, (user, password)))


def read_password_file(path: Path) -> str:
    """The password in ``path``: its first line, without the line end (as ``--password-file`` reads)."""
    text = path.read_text(encoding="utf-8")
    password = text.splitlines()[0] if text else ""
    if not password:
        raise AtlasError(f"{path} holds no password")
    return password


def _plain(value: Any) -> Any:
    """The client's AtlasBase objects (dict subclasses) as plain JSON values."""
    return json.loads(json.dumps(value)) if value is not None else None


@contextmanager
def _calling(what: str) -> Iterator[None]:
    from apache_atlas.exceptions import AtlasServiceException

    try:
        yield
    except AtlasServiceException as exc:
        match = _STATUS.search(str(exc))
        status = int(match.group(1)) if match else None
        raise AtlasError(f"Atlas refused {what} (HTTP {status})", status) from None
    except OSError as exc:  # requests' connection errors are OSErrors
        raise AtlasError(f"Atlas is unreachable for {what}: {type(exc).__name__}") from None


class AtlasPort:
    """Typed calls over an ``apache_atlas`` ``AtlasClient``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    # types
    def type_names(self) -> set[str]:
        with _calling("listing type definitions"):
            headers = self.client.typedef.get_all_typedef_headers(SimpleNamespace(params={}))
        return {h["name"] for h in _plain(headers) or []}

    def typedefs(self, category: str) -> JSON:
        """All typedefs of one category (``classification``, ``entity`` ...) as ``AtlasTypesDef``."""
        with _calling("reading type definitions"):
            found = self.client.typedef.get_all_typedefs(SimpleNamespace(params={"type": category}))
        return _plain(found) or {}

    def create_typedefs(self, typedefs: JSON) -> None:
        with _calling("creating type definitions"):
            self.client.typedef.create_atlas_typedefs(typedefs)

    # entities
    def create_entities(self, entities: Sequence[JSON]) -> JSON:
        """``POST /v2/entity/bulk``: create or update by unique attributes; the mutation response."""
        with _calling("creating entities"):
            answer = self.client.entity.create_entities({"entities": list(entities), "referredEntities": {}})
        return _plain(answer) or {}

    def entities(self, guids: Sequence[str]) -> list[JSON]:
        """``GET /v2/entity/bulk?guid=...``: full entities with relationship attributes."""
        if not guids:
            return []
        with _calling("reading entities"):
            answer = self.client.entity.get_entities_by_guids(list(guids))
        return list((_plain(answer) or {}).get("entities") or [])

    def entity_by_name(self, type_name: str, qualified_name: str) -> JSON | None:
        try:
            with _calling("reading an entity"):
                answer = self.client.entity.get_entity_by_attribute(
                    type_name, {"qualifiedName": qualified_name}, ignore_relationships=True
                )
        except AtlasError as exc:
            if exc.status == 404:
                return None
            raise
        entity = (_plain(answer) or {}).get("entity")
        return entity if isinstance(entity, dict) else None

    def set_classifications(self, headers: Mapping[str, JSON]) -> None:
        """``POST /v2/entity/bulk/setClassifications``: replace each entity's own classifications."""
        with _calling("setting classifications"):
            self.client.entity.set_classifications({"guidHeaderMap": dict(headers)})

    def search(self, type_name: str, *, limit: int, offset: int) -> list[JSON]:
        """One page of ``GET /v2/search/basic`` for a type (subtypes included), active entities only."""
        with _calling("searching"):
            answer = self.client.discovery.basic_search(
                type_name, None, None, True, limit=limit, offset=offset
            )
        return list((_plain(answer) or {}).get("entities") or [])

    # glossary
    def glossaries(self) -> list[JSON]:
        with _calling("listing glossaries"):
            return list(_plain(self.client.glossary.get_all_glossaries()) or [])

    def create_glossary(self, glossary: JSON) -> JSON:
        with _calling("creating a glossary"):
            return _plain(self.client.glossary.create_glossary(glossary)) or {}

    def term(self, guid: str) -> JSON:
        with _calling("reading a glossary term"):
            return _plain(self.client.glossary.get_glossary_term(guid)) or {}

    def create_term(self, term: JSON) -> JSON:
        with _calling("creating a glossary term"):
            return _plain(self.client.glossary.create_glossary_term(term)) or {}

    def assigned_entities(self, term_guid: str) -> list[JSON]:
        with _calling("reading a term's entities"):
            found = self.client.glossary.get_entities_assigned_with_term(term_guid, "ASC", -1, 0)
        return list(_plain(found) or [])

    def assign_term(self, term_guid: str, entity_guids: Sequence[str]) -> None:
        if not entity_guids:
            return
        with _calling("assigning a glossary term"):
            self.client.glossary.assign_term_to_entities(term_guid, [{"guid": g} for g in entity_guids])

    # lineage
    def lineage(self, guid: str, direction: str, depth: int) -> JSON:
        with _calling("reading lineage"):
            return _plain(self.client.lineage.get_lineage_info(guid, direction, depth)) or {}
