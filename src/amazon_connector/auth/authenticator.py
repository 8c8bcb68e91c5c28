"""Access tokens for one application and seller: the refresh-token grant and grantless scopes, cached."""

from __future__ import annotations

from amazon_connector.auth.lwa import AccessToken, LwaClient, refresh_grant
from amazon_connector.auth.token_cache import TokenCache, subject_of
from amazon_connector.errors import IncompleteConfigurationError


def _digest(*parts: str) -> str:
    return subject_of("\x00".join(parts))


class Authenticator:
    """Hands out LWA access tokens, fetching one per key at a time through a shared TokenCache."""

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

    def _seller_grant(self) -> tuple[str, dict[str, str]]:
        if not self.refresh_token:
            raise IncompleteConfigurationError(
                "The connection has no refresh token.",
                missing=["Refresh Token"],
                hint="Authorise the connection (or enter the refresh token in Restricted Data Access Mode).",
            )
        return self._key("refresh:" + self.subject), refresh_grant(self.refresh_token)

    def access_token(self) -> AccessToken:
        key, grant = self._seller_grant()
        return self.cache.get(key, self.subject, lambda: self.lwa.exchange(grant))

    def new_access_token(self) -> AccessToken:
        """Ask Login with Amazon now (Test Connection must prove the credentials, not the cache)."""
        key, grant = self._seller_grant()
        return self.cache.renew(key, self.subject, lambda: self.lwa.exchange(grant))

    async def aaccess_token(self) -> AccessToken:
        key, grant = self._seller_grant()
        return await self.cache.aget(key, self.subject, lambda: self.lwa.aexchange(grant))
