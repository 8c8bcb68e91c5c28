"""Access tokens for one application and seller: the refresh-token grant, grantless scopes and tokens
derived from them (Restricted Data Tokens), each cached and fetched once however many callers ask."""

from __future__ import annotations

from collections.abc import Callable

from amazon_connector.auth.lwa import AccessToken, LwaClient, client_credentials_grant, refresh_grant
from amazon_connector.auth.token_cache import TokenCache, subject_of
from amazon_connector.errors import IncompleteConfigurationError
from amazon_connector.http.drivers import Plan, run


def _digest(*parts: str) -> str:
    return subject_of("\x00".join(parts))


class Authenticator:
    """Hands out tokens through a shared TokenCache, as plans (run them, or yield from them)."""

    def __init__(self, lwa: LwaClient, cache: TokenCache, refresh_token: str | None) -> None:
        self.lwa = lwa
        self.cache = cache
        self.refresh_token = refresh_token

    @property
    def subject(self) -> str:
        """Identifies the refresh token whose tokens Log Out forgets."""
        return subject_of(self.refresh_token or "")

    def _key(self, identity: str) -> str:
        c = self.lwa.credentials
        return _digest(c.token_url, c.client_id, _digest(c.client_secret), identity)

    def _derived_key(self, identity: str) -> str:
        return self._key(f"derived:{self.subject}:{identity}")

    def _grant(self, scope: str | None) -> tuple[str, str, dict[str, str]]:
        """``(cache key, subject, grant)`` for the seller's token or a grantless scope."""
        if scope is not None:
            return self._key("scope:" + scope), self._key("grantless"), client_credentials_grant(scope)
        if not self.refresh_token:
            raise IncompleteConfigurationError(
                "The connection has no refresh token.",
                missing=["Refresh Token"],
                hint="Authorise the connection (or enter the refresh token in Restricted Data Access Mode).",
            )
        return self._key("refresh:" + self.subject), self.subject, refresh_grant(self.refresh_token)

    def token(self, scope: str | None = None) -> Plan[AccessToken]:
        """The seller's access token, or with ``scope`` a grantless (client_credentials) one."""
        key, subject, grant = self._grant(scope)
        return self.cache.get(key, subject, lambda: self.lwa.exchange(grant))

    def derived(self, identity: str, fetch: Callable[[], Plan[AccessToken]]) -> Plan[AccessToken]:
        """A token obtained with the seller's token (a Restricted Data Token) by ``fetch``'s plan, cached
        by ``identity``; Log Out forgets it with the seller's tokens."""
        return self.cache.get(self._derived_key(identity), self.subject, fetch)

    def expired(self, scope: str | None, value: str) -> Plan[None]:
        """Amazon called ``value`` expired: the next ``token(scope)`` fetches a new one."""
        return self.cache.discard(self._grant(scope)[0], value)

    def holds_derived(self, identity: str) -> bool:
        """Whether a fresh token for ``identity`` is already in memory."""
        return self.cache.holds(self._derived_key(identity))

    def derived_expired(self, identity: str, value: str) -> Plan[None]:
        return self.cache.discard(self._derived_key(identity), value)

    def refuse_derived(self, identity: str, seconds: float) -> bool:
        """Amazon refused the token for ``identity``: do not ask again for ``seconds``. False when
        the refusal was known already."""
        return self.cache.refuse(self._derived_key(identity), seconds)

    def derived_refused(self, identity: str) -> bool:
        """Whether Amazon refused the token for ``identity`` a short while ago."""
        return self.cache.refused(self._derived_key(identity))

    def access_token(self) -> AccessToken:
        """The seller's access token, in this thread."""
        return run(self.token())

    def new_access_token(self) -> AccessToken:
        """Ask Login with Amazon now (Test Connection must prove the credentials, not the cache)."""
        key, subject, grant = self._grant(None)
        return run(self.cache.renew(key, subject, lambda: self.lwa.exchange(grant)))
