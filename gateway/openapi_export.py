"""Export the OpenAPI spec of the native API to ``openapi/openapi.json``."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.app import create_app
from gateway.config import LakegateConfig

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def export_openapi() -> str:
    # The spec does not depend on catalogs: an app with no engines describes the same API.
    app = create_app(LakegateConfig(), connectors=[])
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SPEC_PATH.write_text(export_openapi(), encoding="utf-8")
