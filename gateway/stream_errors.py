"""An Arrow result that fails after its first bytes were sent says so inside the stream.

Once a streamed answer's status line is out, an error cannot change it. The server then sends
what it holds of the last whole batch, and an IPC *schema* message with no fields whose
metadata ``lakegate.error`` is the error's problem document (JSON), and drops the connection
without the end-of-stream marker. Any Arrow reader fails on it (a schema message where a batch
must come: "Header-type ... is not RecordBatch"), so no reader takes the rows before it for the
whole result, even through a proxy that turns the dropped connection into a clean end; the
Lakegate client (lakegate/arrow_stream.py) reads the problem and raises its typed error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

#: the metadata key of the error message (the client has the same name: lakegate/arrow_stream.py)
ERROR_METADATA_KEY = "lakegate.error"


def error_message(problem: Mapping[str, Any]) -> bytes:
    """The IPC message that ends a failed Arrow stream: a schema without fields, carrying the
    problem document."""
    schema = pa.schema([], metadata={ERROR_METADATA_KEY: json.dumps(dict(problem))})
    data: bytes = schema.serialize().to_pybytes()
    return data
