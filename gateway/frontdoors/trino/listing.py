"""The metadata a Trino client may list: the same policies that authorize queries filter it.

information_schema, ``system.jdbc``, ``system.metadata`` and ``USE`` all ask :func:`listing_for`,
so a table a user may not read is absent from every listing, as it is from SHOW and browse.
"""

from __future__ import annotations

from auth.identity import Identity
from auth.visible_metadata import VisibleMetadata
from gateway.service import Gateway

Listing = VisibleMetadata


def listing_for(gateway: Gateway, identity: Identity) -> Listing:
    return VisibleMetadata(gateway.snapshot, gateway.authorizer, identity)
