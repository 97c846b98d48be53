"""One query through either front door, answered as one :class:`Outcome` the oracles can judge.

- ``native``: ``POST /v1/query`` (development mode: the user in ``X-Lakegate-User``), an Arrow
  stream or an RFC 9457 problem document;
- ``trino``: ``POST /v1/statement`` (the user in ``X-Trino-User``), then every ``nextUri`` until
  the query is done; rows arrive as JSON pages, errors as Trino error documents.

Everything the client was sent (cells, column names, error texts) is kept in ``texts`` so the
leak oracles look at all of it; ``violations`` lists breaches of the error contract (a 5xx, a
stack trace, an internal error, a malformed answer) whatever the query was.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pyarrow as pa

ARROW = "application/vnd.apache.arrow.stream"
PROBLEM = "application/problem+json"
DOORS = ("native", "trino")
_BINARY_TYPES = ("varbinary",)
_MAX_PAGES = 10_000


@dataclass
class Outcome:
    door: str
    answered: bool
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    code: str | None = None  # the problem's code (native) or the Trino errorName
    message: str = ""
    status: int = 0
    texts: list[str] = field(default_factory=list)
    error: dict[str, Any] = field(default_factory=dict)  # the problem or Trino error document
    arrow: pa.Table | None = None  # the native door's answer as it came
    violations: list[str] = field(default_factory=list)

    def column(self, index: int) -> list[Any]:
        return [row[index] for row in self.rows]

    def table(self) -> pa.Table:
        """The answer as an Arrow table (the Trino door's JSON values, types inferred)."""
        arrays = {}
        for index, name in enumerate(self.columns):
            values = self.column(index)
            try:
                arrays[f"{index}:{name}"] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arrays[f"{index}:{name}"] = pa.array([None if v is None else str(v) for v in values])
        table = pa.table(arrays) if arrays else pa.table({})
        return table.rename_columns(self.columns)

    def summary(self) -> str:
        if self.answered:
            return f"{self.door}: answered {len(self.rows)} row(s) of {self.columns}"
        return f"{self.door}: {self.status} {self.code}: {self.message[:300]}"


def leaves(value: Any) -> Iterator[str]:
    """Every scalar inside a value (nested lists and maps flattened), as text."""
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, bytes | bytearray):
        yield bytes(value).decode("utf-8", "replace")
    else:
        yield str(value)


# -- the native API ------------------------------------------------------------------------------


def native(
    client: httpx.Client,
    user: str,
    sql: str,
    dialect: str | None = None,
    catalog: str | None = None,
    schema: str | None = None,
) -> Outcome:
    body: dict[str, Any] = {"sql": sql}
    if dialect is not None:
        body["dialect"] = dialect
    if catalog is not None:
        body["catalog"] = catalog
    if schema is not None:
        body["schema"] = schema
    response = client.post("/v1/query", json=body, headers={"X-Lakegate-User": user})
    return native_outcome(response)


def native_outcome(response: httpx.Response) -> Outcome:
    outcome = Outcome("native", response.status_code == 200, status=response.status_code)
    kind = response.headers.get("content-type", "")
    if response.status_code == 200:
        if kind != ARROW:
            outcome.violations.append(f"an answer of type {kind!r}")
            outcome.texts.append(response.text)
            return outcome
        table = outcome.arrow = pa.ipc.open_stream(response.content).read_all()
        outcome.columns = list(table.column_names)
        columns = [c.to_pylist() for c in table.columns]
        outcome.rows = list(zip(*columns, strict=True)) if columns else []
        outcome.texts.extend(outcome.columns)
        for values in columns:
            outcome.texts.extend(leaves(values))
        return outcome
    outcome.texts.append(response.text)
    if "Traceback" in response.text:
        outcome.violations.append("a stack trace in the error body")
    if not 400 <= response.status_code < 500:
        outcome.violations.append(f"status {response.status_code} (only 4xx may refuse a query)")
    if kind != PROBLEM:
        outcome.violations.append(f"an error of type {kind!r}, not a problem document")
        return outcome
    problem = outcome.error = dict(response.json())
    outcome.code = str(problem.get("code"))
    outcome.message = str(problem.get("detail", ""))
    if problem.get("status") != response.status_code or not outcome.message:
        outcome.violations.append(f"a malformed problem document: {problem}")
    return outcome


# -- the Trino client protocol -------------------------------------------------------------------


def _decode(value: Any, type_name: str) -> Any:
    """A Trino JSON value as Python: varbinary is base64, decimals are strings."""
    if value is not None and type_name.startswith("decimal") and isinstance(value, str):
        return Decimal(value)
    if value is not None and type_name in _BINARY_TYPES and isinstance(value, str):
        try:
            return base64.b64decode(value).decode("utf-8", "replace")
        except ValueError:
            return value
    return value


def trino(
    client: httpx.Client,
    user: str,
    sql: str,
    catalog: str | None = None,
    schema: str | None = None,
) -> Outcome:
    headers = {"X-Trino-User": user}
    if catalog is not None:
        headers["X-Trino-Catalog"] = catalog
    if schema is not None:
        headers["X-Trino-Schema"] = schema
    outcome = Outcome("trino", False)
    types: list[str] = []
    response = client.post("/v1/statement", content=sql.encode("utf-8"), headers=headers)
    for _ in range(_MAX_PAGES):
        outcome.status = response.status_code
        if response.status_code != 200:
            outcome.texts.append(response.text)
            outcome.violations.append(
                f"HTTP {response.status_code} from the Trino door: {response.text[:200]}"
            )
            return outcome
        document = response.json()
        if "columns" in document and not outcome.columns:
            outcome.columns = [str(c["name"]) for c in document["columns"]]
            types = [str(c.get("type", "")) for c in document["columns"]]
            outcome.texts.extend(outcome.columns)
        for row in document.get("data") or []:
            decoded = tuple(_decode(v, types[i] if i < len(types) else "") for i, v in enumerate(row))
            outcome.rows.append(decoded)
            outcome.texts.extend(leaves(list(decoded)))
        error = document.get("error")
        if error is not None:
            return _trino_error(outcome, error)
        next_uri = document.get("nextUri")
        if not next_uri:
            outcome.answered = True
            return outcome
        response = client.get(next_uri, headers=headers)
    outcome.violations.append("the Trino door never finished")
    return outcome


def _trino_error(outcome: Outcome, error: dict[str, Any]) -> Outcome:
    outcome.rows = []
    outcome.error = error
    outcome.code = str(error.get("errorName"))
    outcome.message = str(error.get("message", ""))
    outcome.texts.extend(leaves(error))
    failure = error.get("failureInfo") or {}
    if failure.get("stack"):
        outcome.violations.append("a stack trace in the Trino error")
    if error.get("errorType") != "USER_ERROR":
        outcome.violations.append(
            f"a Trino {error.get('errorType')} error {outcome.code} (only user errors may refuse a query)"
        )
    return outcome
