"""Reloading without a restart (SIGHUP, ``POST /v1/admin/reload``): users, API tokens, the JWT
key source, policies, and every source's metadata; running queries carry on untouched.

Each part is reloaded on its own: a users or tokens file that no longer parses keeps the last
good sign-in settings (and says so), as a broken policy edit keeps the last good policies.
Catalog definitions themselves (the ``catalogs:`` of the YAML) are read at start-up only.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette

from gateway.api.identity import build_authenticator
from gateway.config import ConfigError
from gateway.service import Gateway

log = logging.getLogger(__name__)
_ONE_AT_A_TIME = threading.Lock()


@dataclass
class ReloadResult:
    authentication: str = "ok"
    policies: str = "ok"
    catalog: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "authentication": self.authentication,
            "policies": self.policies,
            "catalog": self.catalog,
            "errors": self.errors,
        }


def reload(app: Starlette) -> ReloadResult:
    """Reload what can change on disk; blocking (call it off the event loop)."""
    gateway: Gateway = app.state.gateway
    result = ReloadResult()
    with _ONE_AT_A_TIME:
        try:
            app.state.authenticator = build_authenticator(gateway.config)
        except ConfigError as exc:
            result.authentication = "kept"
            result.errors.append(f"authentication: {exc}")
            log.error("reload: sign-in settings kept as they were: %s", exc)
        if gateway.authorizer is None:
            result.policies = "none"
        else:
            before = gateway.authorizer.version
            if not gateway.authorizer.refresh(force=True):
                result.policies = "kept"
                result.errors.append(
                    "policies: the policy file could not be read; the last good policies stay"
                )
            elif gateway.authorizer.version == before:
                result.policies = "unchanged"
        refreshed = gateway.refresh_catalog()
        result.catalog = refreshed.to_dict()
    log.info(
        "reloaded: authentication %s, policies %s, catalog %s",
        result.authentication,
        result.policies,
        "ok" if result.catalog.get("ok") else "a source failed",
    )
    return result
