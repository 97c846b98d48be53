"""Export the OpenAPI spec of the native API to ``openapi/openapi.json``."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from gateway.app import create_app
from gateway.config import LakegateConfig

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def export_openapi() -> str:
    # The spec does not depend on catalogs: an app with no engines describes the same API.
    with tempfile.TemporaryDirectory() as scratch:  # the app's audit log lives there meanwhile
        app = create_app(LakegateConfig(base_dir=Path(scratch)), connectors=[])
        spec = app.openapi()
        app.state.gateway.close()
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SPEC_PATH.write_text(export_openapi(), encoding="utf-8")
