"""Who is asking. Until authentication lands, only the explicit development mode exists."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEV_USER_HEADER = "X-Lakegate-User"
_USER_NAME = re.compile(r"^[A-Za-z0-9_.@\-]{1,128}$")


class AuthenticationFailed(Exception):
    """The request carries no usable identity; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class Identity:
    user: str
    groups: tuple[str, ...] = ()
    authenticated_by: str = "development-header"


def development_identity(header_value: str | None) -> Identity:
    """Development mode: trust the user name in a header (never in production)."""
    if header_value is None or header_value == "":
        return Identity("anonymous")
    if not _USER_NAME.match(header_value):
        raise AuthenticationFailed(f"{DEV_USER_HEADER} must be 1-128 letters, digits or . _ @ -")
    return Identity(header_value)
