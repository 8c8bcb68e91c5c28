"""The emulator's world: developer apps, sellers and self-authorised refresh tokens, fixed by a seed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from amazon_connector.marketplaces import Marketplace, get_marketplace
from amazon_connector.sandbox.ids import (
    derived_alnum,
    derived_hex,
    derived_partner_id,
    derived_token,
    derived_uuid4,
)

DEFAULT_REDIRECT_URIS = (
    "https://localhost:8721/amazon-connector/callback",
    "http://127.0.0.1:8721/amazon-connector/callback",
)
LOGIN_PATH = "/amazon-connector/login"
DIRECT_TO_CONSUMER_SHIPPING = "Direct-to-Consumer Shipping (Restricted)"
DEFAULT_ORDERS = 50
DEFAULT_LISTINGS = 200
AWS_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True, slots=True)
class Seller:
    """A selling partner account, selling in one region's countries."""

    selling_partner_id: str
    store_name: str
    countries: list[str]

    def marketplaces(self) -> list[Marketplace]:
        return [get_marketplace(country) for country in self.countries]


@dataclass(frozen=True, slots=True)
class IamUser:
    """Legacy AWS credentials of an app: an IAM user's keys and the role it may assume through STS."""

    access_key_id: str
    secret_access_key: str
    role_arn: str


@dataclass(frozen=True, slots=True)
class App:
    """A developer's SP-API application and its LWA credentials."""

    name: str
    app_id: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    login_uri: str | None = None
    draft: bool = False
    private: bool = False
    owners: list[str] = field(default_factory=list)
    """The developer's own selling accounts: the only sellers who may authorise a private app."""
    restricted_roles: list[str] = field(default_factory=list)
    secret_expired: bool = False
    rotation_notifications: bool = True
    """Enrolled for rotation notifications (an SQS queue is registered for them)."""
    iam_user: IamUser | None = None


@dataclass(frozen=True, slots=True)
class SelfAuthorisation:
    """A refresh token generated in Seller Central for a private app and a seller."""

    client_id: str
    selling_partner_id: str
    refresh_token: str
    revoked: bool = False


@dataclass(frozen=True)
class World:
    """Everything the emulator knows before its first request."""

    seed: int
    apps: list[App]
    sellers: list[Seller]
    self_authorisations: list[SelfAuthorisation]
    orders_per_marketplace: int = DEFAULT_ORDERS
    """How many orders each seller has in each of its marketplaces."""
    listings_per_seller: int = DEFAULT_LISTINGS
    """How many products each seller lists when the emulator starts."""

    def app(self, app_id: str) -> App | None:
        return next((a for a in self.apps if a.app_id == app_id), None)

    def app_for_client(self, client_id: str) -> App | None:
        return next((a for a in self.apps if a.client_id == client_id), None)

    def seller(self, selling_partner_id: str) -> Seller | None:
        return next((s for s in self.sellers if s.selling_partner_id == selling_partner_id), None)

    def iam_user(self, access_key_id: str) -> IamUser | None:
        return next(
            (a.iam_user for a in self.apps if a.iam_user and a.iam_user.access_key_id == access_key_id), None
        )

    def credentials(self) -> list[dict[str, Any]]:
        """Every app with its credentials and sellers (private apps: with refresh tokens), as JSON."""
        return [
            {
                "name": app.name,
                "app_id": app.app_id,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uris": list(app.redirect_uris),
                "login_uri": app.login_uri,
                "draft": app.draft,
                "private": app.private,
                "owners": list(app.owners),
                "restricted_roles": list(app.restricted_roles),
                "secret_expired": app.secret_expired,
                "rotation_notifications": app.rotation_notifications,
                "sellers": self._sellers_of(app),
                **_aws_credentials(app.iam_user),
            }
            for app in self.apps
        ]

    def _sellers_of(self, app: App) -> list[dict[str, Any]]:
        listed = []
        for seller in self.sellers:
            entry: dict[str, Any] = {
                "selling_partner_id": seller.selling_partner_id,
                "store_name": seller.store_name,
                "countries": list(seller.countries),
            }
            if app.private:
                tokens = [
                    a
                    for a in self.self_authorisations
                    if (a.client_id, a.selling_partner_id) == (app.client_id, seller.selling_partner_id)
                ]
                if not tokens:
                    continue
                for auth in tokens:
                    entry.setdefault(
                        "revoked_refresh_token" if auth.revoked else "refresh_token", auth.refresh_token
                    )
            listed.append(entry)
        return listed


def _aws_credentials(user: IamUser | None) -> dict[str, str]:
    if user is None:
        return {}
    return {
        "aws_access_key_id": user.access_key_id,
        "aws_secret_access_key": user.secret_access_key,
        "aws_role_arn": user.role_arn,
    }


@dataclass(frozen=True, slots=True)
class _AppSpec:
    key: str
    name: str
    draft: bool = False
    private: bool = False
    roles: tuple[str, ...] = ()
    login_hop: bool = False
    secret_expired: bool = False
    rotation_notifications: bool = True
    iam: bool = False


_APPS = (
    _AppSpec("public", "Demo Public App"),
    _AppSpec("draft", "Demo Draft App", draft=True, rotation_notifications=False),
    _AppSpec("login", "Demo Log-in URI App", login_hop=True),
    _AppSpec(
        "private-restricted",
        "Demo Private App (restricted)",
        private=True,
        roles=(DIRECT_TO_CONSUMER_SHIPPING,),
        iam=True,
    ),
    _AppSpec("private", "Demo Private App", private=True),
    _AppSpec("expired-secret", "Demo Expired-Secret App", private=True, secret_expired=True),
)
_SELLERS = (
    ("na", "Demo Store North America", ("US", "CA", "MX")),
    ("eu", "Demo Store Europe", ("UK", "DE", "FR", "IT", "ES")),
    ("fe", "Demo Store Far East", ("JP", "AU", "SG")),
    ("other", "Another Company's Store", ("US",)),
)
_DEVELOPERS_OWN = ("na", "eu", "fe")
"""The sellers of the apps' developer: they self-authorise the private apps; the others cannot."""
_REVOKED = (("private-restricted", "eu"),)
"""(app, seller) pairs that also have a refresh token the seller revoked."""


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _iam_user(seed: int, key: str) -> IamUser:
    return IamUser(
        "AKIA" + derived_alnum(seed, "aws-key", key, length=16),
        derived_token("", seed, "aws-secret", key, size=30).replace("-", "+").replace("_", "/"),
        f"arn:aws:iam::{AWS_ACCOUNT_ID}:role/SellingPartnerRole",
    )


def demo_world(
    seed: int = 0,
    redirect_uris: Sequence[str] = (),
    orders_per_marketplace: int = DEFAULT_ORDERS,
    listings_per_seller: int = DEFAULT_LISTINGS,
) -> World:
    """The demo world: the same seed gives the same IDs, secrets, orders and listings.

    Every app registers ``redirect_uris`` first (so a test's listener is the default), then the two
    default redirect URIs. Each seller has ``orders_per_marketplace`` orders in each marketplace and
    ``listings_per_seller`` listings.
    """
    uris = list(dict.fromkeys([*redirect_uris, *DEFAULT_REDIRECT_URIS]))
    sellers = {
        key: Seller(derived_partner_id(seed, "seller", key), name, list(countries))
        for key, name, countries in _SELLERS
    }
    apps = {
        spec.key: App(
            name=spec.name,
            app_id="amzn1.sp.solution." + derived_uuid4(seed, "app", spec.key),
            client_id="amzn1.application-oa2-client." + derived_hex(seed, "client", spec.key, length=32),
            client_secret="amzn1.oa2-cs.v1." + derived_hex(seed, "secret", spec.key, length=64),
            redirect_uris=list(uris),
            login_uri=_origin(uris[0]) + LOGIN_PATH if spec.login_hop else None,
            draft=spec.draft,
            private=spec.private,
            owners=[sellers[key].selling_partner_id for key in _DEVELOPERS_OWN],
            restricted_roles=list(spec.roles),
            secret_expired=spec.secret_expired,
            rotation_notifications=spec.rotation_notifications,
            iam_user=_iam_user(seed, spec.key) if spec.iam else None,
        )
        for spec in _APPS
    }
    authorisations = [
        SelfAuthorisation(
            apps[spec.key].client_id,
            sellers[seller_key].selling_partner_id,
            derived_token("Atzr|IwEB", seed, "refresh", spec.key, seller_key),
        )
        for spec in _APPS
        if spec.private
        for seller_key in _DEVELOPERS_OWN
    ]
    authorisations += [
        SelfAuthorisation(
            apps[app_key].client_id,
            sellers[seller_key].selling_partner_id,
            derived_token("Atzr|IwEB", seed, "revoked", app_key, seller_key),
            revoked=True,
        )
        for app_key, seller_key in _REVOKED
    ]
    return World(
        seed,
        list(apps.values()),
        list(sellers.values()),
        authorisations,
        orders_per_marketplace,
        listings_per_seller,
    )
