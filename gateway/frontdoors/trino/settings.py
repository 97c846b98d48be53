"""The Trino front door's settings: defaults suit production; tests shorten the timeouts.

They live on the application (``app.state``), so a test (or, later, the config file) sets them
with :func:`configure` without touching the gateway's own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

#: The Trino release whose client protocol this door speaks; ``SELECT version()`` and ``/v1/info``
#: answer ``<release>-lakegate`` so that tools parsing a leading number keep working.
TRINO_PROTOCOL_RELEASE = 476
SERVER_VERSION = f"{TRINO_PROTOCOL_RELEASE}-lakegate"


@dataclass(frozen=True, slots=True)
class TrinoSettings:
    #: a query whose client has not asked for results for this long is canceled (Trino's
    #: ``query.client.timeout``)
    client_timeout_seconds: float = 60.0
    #: how long a GET waits for data before answering an empty page (``maxWait`` caps it)
    max_wait_seconds: float = 1.0
    #: how long the POST waits for the first rows, so a small query is done in one round trip
    first_page_wait_seconds: float = 0.2
    #: page size when the client asks for none (``targetResultSize``), and the cap on what it asks
    target_result_bytes: int = 1 << 20
    max_target_result_bytes: int = 64 << 20
    #: request headers larger than this in total are refused with 431 (prepared statements travel
    #: in a header, so this is generous)
    max_header_bytes: int = 512 << 10
    #: finished queries stay answerable (a replayed last page, a late DELETE) this long
    retain_finished_seconds: float = 300.0
    retain_finished_queries: int = 1000
    version: str = SERVER_VERSION


def settings_of(app: Starlette) -> TrinoSettings:
    settings = getattr(app.state, "trino_settings", None)
    if not isinstance(settings, TrinoSettings):
        settings = TrinoSettings()
        app.state.trino_settings = settings
    return settings


def configure(app: Starlette, settings: TrinoSettings) -> None:
    """Use these settings for the Trino front door of ``app`` (before it serves requests)."""
    app.state.trino_settings = settings
