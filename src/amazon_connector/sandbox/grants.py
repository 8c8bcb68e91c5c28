"""What the emulator has issued: refresh tokens, access tokens and Restricted Data Tokens."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_connector.api.schemas import RestrictedResource
from amazon_connector.clock import Clock
from amazon_connector.sandbox.ids import random_token
from amazon_connector.sandbox.world import World

TOKEN_LIFETIME = timedelta(seconds=3600)
"""Access tokens and Restricted Data Tokens live one hour."""


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    """What a refresh token stands for: a seller's authorisation of one app (one client ID)."""

    client_id: str
    selling_partner_id: str


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """An LWA access token: for a seller, or grantless (``selling_partner_id`` None) with scopes."""

    client_id: str
    selling_partner_id: str | None
    scopes: tuple[str, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RestrictedGrant:
    """A Restricted Data Token: one seller's restricted resources, for the app or a delegatee."""

    client_id: str
    selling_partner_id: str
    target_application: str | None
    resources: tuple[RestrictedResource, ...]
    expires_at: datetime

    def covers(self, method: str, path: str) -> bool:
        """Whether a request for ``method path`` is among the resources (generic paths match any ID)."""
        return any(r.method == method and _path_matches(r.path, path) for r in self.resources)

    def data_elements(self, method: str, path: str) -> frozenset[str]:
        """The ``dataElements`` granted for ``method path``."""
        return frozenset(
            element
            for r in self.resources
            if r.method == method and _path_matches(r.path, path)
            for element in r.dataElements or ()
        )


def _path_matches(template: str, path: str) -> bool:
    want, got = template.split("/"), path.split("/")
    return len(want) == len(got) and all(
        w == g or (w.startswith("{") and w.endswith("}") and g) for w, g in zip(want, got, strict=True)
    )


class Grants:
    """The token registry: seeded with the world's self-authorisations, grown by every token issued."""

    def __init__(self, world: World, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._refresh: dict[str, RefreshGrant] = {
            a.refresh_token: RefreshGrant(a.client_id, a.selling_partner_id)
            for a in world.self_authorisations
            if not a.revoked
        }
        self._access: dict[str, AccessGrant | RestrictedGrant] = {}
        self._rdts: list[RestrictedGrant] = []

    def refresh_grant(self, refresh_token: str) -> RefreshGrant | None:
        """What a refresh token stands for; None if it is unknown or revoked."""
        with self._lock:
            return self._refresh.get(refresh_token)

    def issue_refresh_token(self, client_id: str, selling_partner_id: str) -> str:
        token = random_token("Atzr|IwEB", 96)
        with self._lock:
            self._refresh[token] = RefreshGrant(client_id, selling_partner_id)
        return token

    def issue_access_token(
        self, client_id: str, selling_partner_id: str | None, scopes: Sequence[str] = ()
    ) -> str:
        """A seller's access token (``Atza|``), or a grantless one (``Atc|``) when there is no seller."""
        prefix = "Atza|IwEB" if selling_partner_id else "Atc|MQEB"
        token = random_token(prefix, 300)
        grant = AccessGrant(client_id, selling_partner_id, tuple(scopes), self.clock.now() + TOKEN_LIFETIME)
        with self._lock:
            self._access[token] = grant
        return token

    def issue_rdt(
        self,
        client_id: str,
        selling_partner_id: str,
        resources: Sequence[RestrictedResource],
        target_application: str | None,
    ) -> str:
        token = random_token("Atz.sprdt|AYAB", 300)
        grant = RestrictedGrant(
            client_id,
            selling_partner_id,
            target_application,
            tuple(resources),
            self.clock.now() + TOKEN_LIFETIME,
        )
        with self._lock:
            self._access[token] = grant
            self._rdts.append(grant)
        return token

    def access_grant(self, token: str) -> AccessGrant | RestrictedGrant | None:
        """What an ``x-amz-access-token`` value stands for (expired ones included); None if unknown."""
        with self._lock:
            return self._access.get(token)

    @property
    def rdts(self) -> list[RestrictedGrant]:
        """Every Restricted Data Token issued, oldest first."""
        with self._lock:
            return list(self._rdts)
