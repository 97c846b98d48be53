"""The OpenAPI spec: the committed file is current, and the live server honours it under fuzzing."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.schemas import OpenApiSchema

from gateway.openapi_export import SPEC_PATH, export_openapi
from tests.server import LiveServer

USER_HEADERS = {"X-Lakegate-User": "schemathesis"}


def test_committed_spec_is_current() -> None:
    expected = export_openapi()
    committed = SPEC_PATH.read_text(encoding="utf-8") if SPEC_PATH.exists() else ""
    if committed != expected:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile="openapi/openapi.json (committed)",
                tofile="export_openapi()",
                n=2,
            )
        )
        pytest.fail(
            f"openapi/openapi.json is stale: run `make openapi` and commit the result.\n{diff[:4000]}",
            pytrace=False,
        )


def test_live_server_serves_the_committed_spec(server: LiveServer) -> None:
    # The spec is independent of the catalogs, so the demo server must describe the same API.
    served = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    assert served == schemathesis.openapi.from_path(SPEC_PATH).raw_schema


@pytest.fixture(scope="module")
def http_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(USER_HEADERS)
        yield session


@pytest.fixture(scope="module")
def live_schema(server: LiveServer) -> OpenApiSchema:
    # Fuzz what the live server itself serves, against the live server (real uvicorn, real sockets).
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=30)
    schema.config.update(base_url=server.url)
    return schema


schema = schemathesis.pytest.from_fixture("live_schema")


def problem_details_on_client_errors(response: schemathesis.Response) -> None:
    """Every 4xx is RFC 9457 problem details with a stable ``code`` (the project's one error shape)."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == "application/problem+json", (
            f"{response.status_code} answered with {content_type!r}: {response.text[:300]}"
        )
        problem = response.json()
        assert problem.get("code"), f"problem without a code: {response.text[:300]}"
        assert problem.get("status") == response.status_code, response.text[:300]


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case, http_session: requests.Session) -> None:
    response = case.call(session=http_session, headers=USER_HEADERS, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
    problem_details_on_client_errors(response)
