"""An Apache Atlas REST stand-in for tests: an in-memory server with Atlas's request and response shapes.

No real Atlas runs here (it needs HBase, Solr and Kafka). This stand-in answers the calls the
``apache-atlas`` client makes for Lakegate's import and export, shaped as Atlas's REST API documents
them (``/api/atlas/v2/...``): type definitions, bulk entity create/update by unique attribute with
``guidAssignments``, entity reads by guid, in bulk and by unique attribute (relationship attributes
included, inverse ends computed), classifications (add, ``bulk/setClassifications``), basic search,
glossaries, terms and term assignment, and lineage through ``Process`` inputs and outputs.

It is stricter than Atlas in one way, on purpose: an attribute the entity's type does not define
is refused (Atlas drops it silently), so a misspelt attribute fails a test. It checks HTTP Basic
credentials and answers errors as Atlas does: ``{"errorCode": "ATLAS-…", "errorMessage": …}``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.atlas.standin_types import BASE, HIVE, TRINO

JSON = dict[str, Any]
PREFIX = "/api/atlas/v2/"


class AtlasFault(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TypeRegistry:
    def __init__(self) -> None:
        self.entity_defs: dict[str, JSON] = {}
        self.relationship_defs: dict[str, JSON] = {}
        self.classification_defs: dict[str, JSON] = {}
        self.guids: dict[str, str] = {}

    def add(self, typedefs: JSON, *, fail_on_existing: bool = True) -> JSON:
        added: JSON = {"entityDefs": [], "relationshipDefs": [], "classificationDefs": []}
        for key in ("entityDefs", "relationshipDefs", "classificationDefs"):
            for definition in typedefs.get(key) or []:
                name = definition["name"]
                if name in self.guids and fail_on_existing:
                    raise AtlasFault(409, "ATLAS-409-00-001", f"Given type {name} already exists")
        for key, store in (
            ("entityDefs", self.entity_defs),
            ("relationshipDefs", self.relationship_defs),
            ("classificationDefs", self.classification_defs),
        ):
            for definition in typedefs.get(key) or []:
                stored = {**definition, "guid": str(uuid.uuid4())}
                store[definition["name"]] = stored
                self.guids[definition["name"]] = stored["guid"]
                added[key].append(stored)
        for definition in typedefs.get("entityDefs") or []:
            for parent in definition.get("superTypes") or []:
                if parent not in self.entity_defs:
                    raise AtlasFault(400, "ATLAS-400-00-01B", f"{parent}: invalid supertype")
        return added

    def supertypes(self, type_name: str) -> list[str]:
        """The type and all its supertypes."""
        out, todo = [], [type_name]
        while todo:
            current = todo.pop()
            if current in out:
                continue
            out.append(current)
            todo.extend(self.entity_defs.get(current, {}).get("superTypes") or [])
        return out

    def is_a(self, type_name: str, super_type: str) -> bool:
        return super_type in self.supertypes(type_name)

    def attributes(self, type_name: str) -> dict[str, JSON]:
        found: dict[str, JSON] = {}
        for t in self.supertypes(type_name):
            for a in self.entity_defs.get(t, {}).get("attributeDefs") or []:
                found.setdefault(a["name"], a)
        return found

    def ends(self, type_name: str) -> dict[str, tuple[str, JSON, JSON]]:
        """Relationship attribute name -> (relationship name, own end, other end) for the type."""
        types = self.supertypes(type_name)
        found: dict[str, tuple[str, JSON, JSON]] = {}
        for rel in self.relationship_defs.values():
            e1, e2 = rel["endDef1"], rel["endDef2"]
            if e1["type"] in types:
                found.setdefault(e1["name"], (rel["name"], e1, e2))
            if e2["type"] in types:
                found.setdefault(e2["name"], (rel["name"], e2, e1))
        return found

    def all(self, category: str | None) -> JSON:
        wanted = (category or "").lower()
        return {
            "enumDefs": [],
            "structDefs": [],
            "classificationDefs": list(self.classification_defs.values())
            if wanted in ("", "classification")
            else [],
            "entityDefs": list(self.entity_defs.values()) if wanted in ("", "entity") else [],
            "relationshipDefs": list(self.relationship_defs.values())
            if wanted in ("", "relationship")
            else [],
            "businessMetadataDefs": [],
        }

    def headers(self) -> list[JSON]:
        out = []
        for category, store in (
            ("ENTITY", self.entity_defs),
            ("RELATIONSHIP", self.relationship_defs),
            ("CLASSIFICATION", self.classification_defs),
        ):
            out.extend({"guid": d["guid"], "name": n, "category": category} for n, d in store.items())
        return out


class AtlasStore:
    """Entities, glossaries and terms, in memory, behind one lock."""

    def __init__(self, with_trino_model: bool) -> None:
        self.lock = threading.RLock()
        self.types = TypeRegistry()
        self.types.add(BASE)
        self.types.add(HIVE)
        if with_trino_model:
            self.types.add(TRINO)
        self.entities: dict[str, JSON] = {}  # guid -> stored entity
        self.unique: dict[tuple[str, str], str] = {}  # (type, qualifiedName) -> guid
        self.by_name: dict[str, list[str]] = {}  # qualifiedName -> types that have it
        self.glossaries: dict[str, JSON] = {}
        self.terms: dict[str, JSON] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every call, for tests
        self._clock = itertools.count(1_700_000_000_000, 1000)

    # ---- entities
    def _resolve(self, ref: Any, assigned: dict[str, str]) -> str:
        if not isinstance(ref, dict):
            raise AtlasFault(400, "ATLAS-400-00-01D", f"invalid object id {ref!r}")
        guid = ref.get("guid")
        if isinstance(guid, str) and guid.startswith("-"):
            if guid in assigned:
                return assigned[guid]
            raise AtlasFault(404, "ATLAS-404-00-00A", f"Referenced entity {guid} is not found")
        if isinstance(guid, str) and guid in self.entities:
            return guid
        unique = ref.get("uniqueAttributes") or {}
        type_name = ref.get("typeName")
        if type_name and "qualifiedName" in unique:
            for t in self.by_name.get(unique["qualifiedName"], ()):
                if self.types.is_a(t, type_name):
                    return self.unique[(t, unique["qualifiedName"])]
        raise AtlasFault(
            404,
            "ATLAS-404-00-00A",
            f"Referenced entity AtlasObjectId{{typeName={type_name}, {unique}}} is not found",
        )

    def create_or_update(self, bodies: list[JSON]) -> JSON:
        with self.lock:
            assigned: dict[str, str] = {}
            created: list[str] = []
            updated: list[str] = []
            for body in bodies:  # first pass: guids by unique attribute
                type_name = body.get("typeName")
                if type_name not in self.types.entity_defs:
                    raise AtlasFault(404, "ATLAS-404-00-004", f"Given typename {type_name} was invalid")
                qn = (body.get("attributes") or {}).get("qualifiedName")
                if not qn:
                    raise AtlasFault(
                        400,
                        "ATLAS-400-00-01D",
                        f"{type_name}.qualifiedName: mandatory attribute value missing",
                    )
                existing = self.unique.get((type_name, qn))
                guid = existing or str(uuid.uuid4())
                temp = body.get("guid")
                if isinstance(temp, str) and temp.startswith("-"):
                    assigned[temp] = guid
                (updated if existing else created).append(guid)
                body["_guid"] = guid
            for body in bodies:
                self._store(body, assigned, body["_guid"] in created)
            return {
                "mutatedEntities": {
                    k: [self.header(g) for g in v] for k, v in (("CREATE", created), ("UPDATE", updated)) if v
                },
                "guidAssignments": assigned,
            }

    def _store(self, body: JSON, assigned: dict[str, str], new: bool) -> None:
        type_name = body["typeName"]
        guid = body.pop("_guid")
        attrs_def = self.types.attributes(type_name)
        ends = self.types.ends(type_name)
        attributes: JSON = {}
        refs: dict[str, Any] = {}
        for name, value in (body.get("attributes") or {}).items():
            if name in ends and (ends[name][1].get("isLegacyAttribute") or name in attrs_def):
                refs[name] = value
            elif name in attrs_def:
                attributes[name] = value
            else:
                raise AtlasFault(400, "ATLAS-400-00-01E", f"{type_name}: unknown attribute {name}")
        for name, value in (body.get("relationshipAttributes") or {}).items():
            if name not in ends:
                raise AtlasFault(
                    400, "ATLAS-400-00-01E", f"{type_name}: invalid relationship attribute {name}"
                )
            refs[name] = value
        resolved: dict[str, Any] = {}
        for name, value in refs.items():
            if value is None:
                continue
            if isinstance(value, list):
                resolved[name] = [self._resolve(v, assigned) for v in value]
            else:
                resolved[name] = self._resolve(value, assigned)
        now = next(self._clock)
        if new:
            missing = [
                n for n, a in attrs_def.items() if not a.get("isOptional", False) and n not in attributes
            ]
            if missing:
                raise AtlasFault(
                    400, "ATLAS-400-00-01D", f"{type_name}.{missing[0]}: mandatory attribute value missing"
                )
            self.entities[guid] = {
                "typeName": type_name,
                "guid": guid,
                "status": "ACTIVE",
                "attributes": attributes,
                "refs": resolved,
                "classifications": [],
                "meanings": [],
                "createdBy": "admin",
                "updatedBy": "admin",
                "createTime": now,
                "updateTime": now,
                "version": 0,
            }
            self.unique[(type_name, attributes["qualifiedName"])] = guid
            self.by_name.setdefault(attributes["qualifiedName"], []).append(type_name)
            for c in body.get("classifications") or []:
                self._add_classification(guid, c)
        else:
            stored = self.entities[guid]
            stored["attributes"].update(attributes)
            stored["refs"].update(resolved)
            stored["updateTime"] = now
            stored["version"] += 1

    def put_raw(self, entity: JSON) -> str:
        """Seed an entity as a hook would have (tests use it for Hive data): refs by guid."""
        with self.lock:
            guid = entity.get("guid") or str(uuid.uuid4())
            stored = {
                "typeName": entity["typeName"],
                "guid": guid,
                "status": entity.get("status", "ACTIVE"),
                "attributes": dict(entity.get("attributes") or {}),
                "refs": dict(entity.get("refs") or {}),
                "classifications": list(entity.get("classifications") or []),
                "meanings": [],
                "createdBy": "hive",
                "updatedBy": "hive",
                "createTime": next(self._clock),
                "updateTime": next(self._clock),
                "version": 0,
            }
            self.entities[guid] = stored
            self.unique[(stored["typeName"], stored["attributes"]["qualifiedName"])] = guid
            self.by_name.setdefault(stored["attributes"]["qualifiedName"], []).append(stored["typeName"])
            return guid

    def _add_classification(self, guid: str, c: JSON) -> None:
        name = c.get("typeName")
        if name not in self.types.classification_defs:
            raise AtlasFault(404, "ATLAS-404-00-002", f"Given type name {name} was invalid")
        known = {a["name"] for a in self.types.classification_defs[name].get("attributeDefs") or []}
        unknown = sorted(set(c.get("attributes") or {}) - known)
        if unknown:
            raise AtlasFault(400, "ATLAS-400-00-01E", f"{name}: invalid attribute {unknown[0]}")
        own = self.entities[guid]["classifications"]
        if any(x["typeName"] == name and x["entityGuid"] == guid for x in own):
            raise AtlasFault(
                400, "ATLAS-400-00-01A", f"Classification {name} is already associated with entity {guid}"
            )
        own.append(
            {
                "typeName": name,
                "attributes": dict(c.get("attributes") or {}),
                "entityGuid": guid,
                "entityStatus": "ACTIVE",
                "propagate": c.get("propagate", True),
                "removePropagationsOnEntityDelete": False,
                "validityPeriods": [],
            }
        )

    def add_classifications(self, guid: str, classifications: list[JSON]) -> None:
        with self.lock:
            self.entity_or_404(guid)
            for c in classifications:
                self._add_classification(guid, c)

    def set_classifications(self, header_map: JSON) -> list[str]:
        with self.lock:
            for guid, header in header_map.items():
                entity = self.entity_or_404(guid)
                entity["classifications"] = [c for c in entity["classifications"] if c["entityGuid"] != guid]
                for c in header.get("classifications") or []:
                    self._add_classification(guid, c)
            return list(header_map)

    def entity_or_404(self, guid: str) -> JSON:
        found = self.entities.get(guid)
        if found is None:
            raise AtlasFault(404, "ATLAS-404-00-005", f"Given instance guid {guid} is invalid/not found")
        return found

    def object_id(self, guid: str, relationship: str | None = None) -> JSON:
        e = self.entities[guid]
        out: JSON = {
            "guid": guid,
            "typeName": e["typeName"],
            "uniqueAttributes": {"qualifiedName": e["attributes"]["qualifiedName"]},
        }
        if relationship is not None:
            out.update(
                {
                    "entityStatus": e["status"],
                    "displayText": e["attributes"].get("name"),
                    "relationshipType": relationship,
                    "relationshipGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{relationship}:{guid}")),
                    "relationshipStatus": "ACTIVE",
                    "relationshipAttributes": {"typeName": relationship},
                }
            )
        return out

    def full(self, guid: str, ignore_relationships: bool) -> JSON:
        e = self.entity_or_404(guid)
        ends = self.types.ends(e["typeName"])
        attributes = dict(e["attributes"])
        relationship: JSON = {}
        for name, (rel_name, own_end, other_end) in ends.items():
            if name in e["refs"]:
                value = e["refs"][name]
                ids = [value] if isinstance(value, str) else value
            else:  # the inverse end: who points at this entity through the other end
                ids = [
                    g
                    for g, other in self.entities.items()
                    if other_end["name"] in other["refs"]
                    and self.types.is_a(other["typeName"], other_end["type"])
                    and guid in ([r] if isinstance(r := other["refs"][other_end["name"]], str) else r)
                ]
            rendered = [self.object_id(i, rel_name) for i in ids if i in self.entities]
            single = own_end.get("cardinality") == "SINGLE"
            relationship[name] = (rendered[0] if rendered else None) if single else rendered
            if own_end.get("isLegacyAttribute"):
                plain = [self.object_id(i) for i in ids if i in self.entities]
                attributes[name] = (plain[0] if plain else None) if single else plain
        entity = {k: v for k, v in e.items() if k != "refs"}
        entity["attributes"] = attributes
        entity["classifications"] = list(e["classifications"])
        entity["meanings"] = [
            {
                "termGuid": t,
                "relationGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{t}:{guid}")),
                "displayText": self.terms[t]["name"],
                "status": "ACTIVE",
                "confidence": 0,
            }
            for t in e["meanings"]
        ]
        if not ignore_relationships:
            entity["relationshipAttributes"] = relationship
        return entity

    def header(self, guid: str) -> JSON:
        e = self.entities[guid]
        return {
            "typeName": e["typeName"],
            "guid": guid,
            "status": e["status"],
            "displayText": e["attributes"].get("name") or e["attributes"]["qualifiedName"],
            "attributes": {
                k: e["attributes"].get(k) for k in ("qualifiedName", "name", "owner", "description")
            },
            "classificationNames": sorted({c["typeName"] for c in e["classifications"]}),
            "meaningNames": [self.terms[t]["name"] for t in e["meanings"]],
            "meanings": [],
            "labels": [],
            "isIncomplete": False,
        }

    def by_unique(self, type_name: str, qn: str) -> str:
        guid = self.unique.get((type_name, qn))
        if guid is None:
            raise AtlasFault(
                404,
                "ATLAS-404-00-009",
                f"Instance {type_name} with unique attribute {{qualifiedName={qn}}} does not exist",
            )
        return guid

    def basic_search(self, params: JSON) -> JSON:
        type_name = params.get("typeName")
        classification = params.get("classification")
        query = (params.get("query") or "").lower()
        exclude_deleted = str(params.get("excludeDeletedEntities", "false")).lower() == "true"
        include_subtypes = str(params.get("includeSubTypes", "true")).lower() == "true"
        limit = int(params.get("limit") or 100)
        offset = int(params.get("offset") or 0)
        if type_name and type_name not in self.types.entity_defs:
            raise AtlasFault(400, "ATLAS-400-00-013", f"Invalid type name {type_name}")
        hits = []
        for guid, e in self.entities.items():
            if type_name and not (
                e["typeName"] == type_name or (include_subtypes and self.types.is_a(e["typeName"], type_name))
            ):
                continue
            if exclude_deleted and e["status"] != "ACTIVE":
                continue
            if classification and classification not in {c["typeName"] for c in e["classifications"]}:
                continue
            if query and not any(
                query in str(e["attributes"].get(k) or "").lower() for k in ("name", "qualifiedName")
            ):
                continue
            hits.append(guid)
        page = hits[offset : offset + limit]
        answer: JSON = {
            "queryType": "BASIC",
            "searchParameters": {
                "typeName": type_name,
                "classification": classification,
                "query": params.get("query"),
                "excludeDeletedEntities": exclude_deleted,
                "limit": limit,
                "offset": offset,
            },
            "approximateCount": len(hits),
        }
        if page:  # Atlas leaves "entities" out of an empty result
            answer["entities"] = [self.header(g) for g in page]
        return answer

    # ---- glossary
    def create_glossary(self, body: JSON) -> JSON:
        with self.lock:
            name = body.get("name")
            if not name:
                raise AtlasFault(400, "ATLAS-400-00-05C", "Glossary name is required")
            if any(g["name"] == name for g in self.glossaries.values()):
                raise AtlasFault(
                    409, "ATLAS-409-00-007", f"Glossary with qualifiedName {name} already exists"
                )
            guid = str(uuid.uuid4())
            self.glossaries[guid] = {
                "guid": guid,
                "qualifiedName": name,
                "name": name,
                "shortDescription": body.get("shortDescription"),
                "longDescription": body.get("longDescription"),
                "terms": [],
                "categories": [],
            }
            return self.glossaries[guid]

    def create_term(self, body: JSON) -> JSON:
        with self.lock:
            anchor = (body.get("anchor") or {}).get("glossaryGuid")
            glossary = self.glossaries.get(anchor or "")
            if glossary is None:
                raise AtlasFault(400, "ATLAS-400-00-05B", "Anchor glossary is required and must exist")
            name = body.get("name")
            qn = f"{name}@{glossary['qualifiedName']}"
            if any(t["qualifiedName"] == qn for t in self.terms.values()):
                raise AtlasFault(
                    409, "ATLAS-409-00-009", f"Glossary term with qualifiedName {qn} already exists"
                )
            guid = str(uuid.uuid4())
            relation = str(uuid.uuid4())
            self.terms[guid] = {
                "guid": guid,
                "qualifiedName": qn,
                "name": name,
                "shortDescription": body.get("shortDescription"),
                "longDescription": body.get("longDescription"),
                "abbreviation": body.get("abbreviation"),
                "additionalAttributes": body.get("additionalAttributes"),
                "anchor": {
                    "glossaryGuid": glossary["guid"],
                    "relationGuid": relation,
                    "displayText": glossary["name"],
                },
                "synonyms": body.get("synonyms") or [],
                "assigned": [],
            }
            glossary["terms"].append({"termGuid": guid, "relationGuid": relation, "displayText": name})
            return self.term(guid)

    def term(self, guid: str) -> JSON:
        t = self.terms.get(guid)
        if t is None:
            raise AtlasFault(404, "ATLAS-404-00-012", f"Given term guid {guid} was invalid")
        out = {k: v for k, v in t.items() if k != "assigned"}
        out["assignedEntities"] = self.assigned(guid)
        return out

    def assigned(self, term_guid: str) -> list[JSON]:
        return [
            self.object_id(g, "AtlasGlossarySemanticAssignment") for g in self.terms[term_guid]["assigned"]
        ]

    def assign(self, term_guid: str, ids: list[JSON]) -> None:
        with self.lock:
            term = self.terms.get(term_guid)
            if term is None:
                raise AtlasFault(404, "ATLAS-404-00-012", f"Given term guid {term_guid} was invalid")
            for ref in ids:
                guid = self._resolve(ref, {})
                if guid in term["assigned"]:
                    raise AtlasFault(
                        400, "ATLAS-400-00-05D", f"Term {term_guid} is already assigned to {guid}"
                    )
                term["assigned"].append(guid)
                self.entities[guid]["meanings"].append(term_guid)

    # ---- lineage
    def lineage(self, guid: str, direction: str, depth: int) -> JSON:
        self.entity_or_404(guid)
        shown = {guid}
        relations: list[JSON] = []

        def process_refs(p: JSON, side: str) -> list[str]:
            value = p["refs"].get(side) or []
            return [value] if isinstance(value, str) else list(value)

        def walk(upstream: bool) -> None:
            frontier = [guid]
            for _ in range(depth):
                following = []
                for node in frontier:
                    for pg, p in self.entities.items():
                        if not self.types.is_a(p["typeName"], "Process"):
                            continue
                        near, far = ("outputs", "inputs") if upstream else ("inputs", "outputs")
                        if node not in process_refs(p, near):
                            continue
                        shown.add(pg)
                        relations.append(
                            {"fromEntityId": pg, "toEntityId": node}
                            if upstream
                            else {"fromEntityId": node, "toEntityId": pg}
                        )
                        for other in process_refs(p, far):
                            relations.append(
                                {"fromEntityId": other, "toEntityId": pg}
                                if upstream
                                else {"fromEntityId": pg, "toEntityId": other}
                            )
                            if other not in shown:
                                shown.add(other)
                                following.append(other)
                frontier = following

        if direction in ("INPUT", "BOTH"):
            walk(True)
        if direction in ("OUTPUT", "BOTH"):
            walk(False)
        for r in relations:
            r["relationshipId"] = str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"{r['fromEntityId']}>{r['toEntityId']}")
            )
        return {
            "baseEntityGuid": guid,
            "lineageDirection": direction,
            "lineageDepth": depth,
            "guidEntityMap": {g: self.header(g) for g in shown},
            "relations": relations,
        }


class _Handler(BaseHTTPRequestHandler):
    server: _StandinServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == self.server.credentials

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _handle(self, method: str) -> None:
        store = self.server.store
        parts = urlsplit(self.path)
        store.requests.append((method, parts.path))
        if not self._authorised():
            self._send(401, {"errorCode": "ATLAS-401-00-001", "errorMessage": "Unauthorized"})
            return
        if not parts.path.startswith(PREFIX):
            self._send(404, {"errorCode": "ATLAS-404-00-001", "errorMessage": "Not found"})
            return
        path = [unquote(p) for p in parts.path[len(PREFIX) :].strip("/").split("/")]
        query = parse_qs(parts.query)
        one = {k: v[0] for k, v in query.items()}
        try:
            status, body = self._route(method, path, one, query)
        except AtlasFault as fault:
            self._send(fault.status, {"errorCode": fault.code, "errorMessage": str(fault)})
            return
        self._send(status, body)

    def _route(self, method: str, path: list[str], one: JSON, query: dict[str, list[str]]) -> tuple[int, Any]:
        store = self.server.store
        with store.lock:
            match method, path:
                case "GET", ["types", "typedefs"]:
                    return 200, store.types.all(one.get("type"))
                case "GET", ["types", "typedefs", "headers"]:
                    return 200, store.types.headers()
                case "GET", ["types", "entitydef", "name", name]:
                    if name not in store.types.entity_defs:
                        raise AtlasFault(404, "ATLAS-404-00-004", f"Given typename {name} was invalid")
                    return 200, store.types.entity_defs[name]
                case "POST", ["types", "typedefs"]:
                    return 200, store.types.add(self._body() or {})
                case "POST", ["entity", "bulk"]:
                    return 200, store.create_or_update(list((self._body() or {}).get("entities") or []))
                case "POST", ["entity"]:
                    return 200, store.create_or_update([(self._body() or {})["entity"]])
                case "GET", ["entity", "bulk"]:
                    ignore = one.get("ignoreRelationships", "false").lower() == "true"
                    found = [store.full(g, ignore) for g in query.get("guid", [])]
                    return 200, {"entities": found, "referredEntities": {}}
                case "GET", ["entity", "guid", guid]:
                    ignore = one.get("ignoreRelationships", "false").lower() == "true"
                    return 200, {"entity": store.full(guid, ignore), "referredEntities": {}}
                case "GET", ["entity", "uniqueAttribute", "type", type_name]:
                    guid = store.by_unique(type_name, one.get("attr:qualifiedName", ""))
                    ignore = one.get("ignoreRelationships", "false").lower() == "true"
                    return 200, {"entity": store.full(guid, ignore), "referredEntities": {}}
                case "POST", ["entity", "guid", guid, "classifications"]:
                    store.add_classifications(guid, list(self._body() or []))
                    return 204, None
                case "POST", ["entity", "bulk", "setClassifications"]:
                    return 200, store.set_classifications((self._body() or {}).get("guidHeaderMap") or {})
                case "GET", ["search", "basic"]:
                    return 200, store.basic_search(one)
                case "POST", ["search", "basic"]:
                    return 200, store.basic_search(self._body() or {})
                case "GET", ["glossary"]:
                    return 200, list(store.glossaries.values())
                case "POST", ["glossary"]:
                    return 200, store.create_glossary(self._body() or {})
                case "POST", ["glossary", "term"]:
                    return 200, store.create_term(self._body() or {})
                case "GET", ["glossary", "term", guid]:
                    return 200, store.term(guid)
                case "GET", ["glossary", "terms", guid, "assignedEntities"]:
                    store.term(guid)
                    return 200, store.assigned(guid)
                case "POST", ["glossary", "terms", guid, "assignedEntities"]:
                    store.assign(guid, list(self._body() or []))
                    return 204, None
                case "GET", ["lineage", guid]:
                    return 200, store.lineage(guid, one.get("direction", "BOTH"), int(one.get("depth", "3")))
        raise AtlasFault(404, "ATLAS-404-00-001", f"{method} {'/'.join(path)}: no such API in the stand-in")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


class _StandinServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: AtlasStore, credentials: tuple[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = store
        self.credentials = credentials


class AtlasStandin:
    """Start with ``with AtlasStandin() as atlas:``; ``atlas.url``, ``atlas.store``."""

    def __init__(
        self, *, with_trino_model: bool = True, credentials: tuple[str, str] = ("admin", "stand-in-pw")
    ) -> None:
        self.store = AtlasStore(with_trino_model)
        self.credentials = credentials
        self._server = _StandinServer(self.store, credentials)
        self._thread = threading.Thread(target=self._server.serve_forever, name="atlas-standin", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> AtlasStandin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def entities_of(self, type_name: str) -> list[JSON]:
        with self.store.lock:
            return [
                self.store.full(g, False)
                for g, e in self.store.entities.items()
                if e["typeName"] == type_name
            ]
