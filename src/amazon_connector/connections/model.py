"""A connection's settings (the General and Advanced nodes), its status and what is missing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import SplitResult, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from amazon_connector.auth.consent import SELLING_PARTNER_ID_RE
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import Marketplace, get_marketplace, normalise_environment

DEFAULT_REDIRECT_URI = "https://localhost:8721/amazon-connector/callback"

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
APP_ID_RE = re.compile(r"^amzn1\.(sp\.solution|sellerapps\.app)\.[A-Za-z0-9-]{8,}$")
CLIENT_ID_RE = re.compile(r"^amzn1\.application-oa2-client\.[A-Za-z0-9]{16,}$")
CLIENT_SECRET_RE = re.compile(r"^amzn1\.oa2-cs\.v1\.[A-Za-z0-9]{16,}$")
REFRESH_TOKEN_RE = re.compile(r"^Atzr\|[\x21-\x7e]{16,2043}$")
AWS_ACCESS_KEY_RE = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")
AWS_SECRET_KEY_RE = re.compile(r"^[A-Za-z0-9/+=]{40}$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")

# Field name -> (label in the dialog, pattern, example) for secret-free messages.
FIELD_RULES: dict[str, tuple[str, re.Pattern[str], str]] = {
    "app_id": ("App ID", APP_ID_RE, "amzn1.sp.solution.… or amzn1.sellerapps.app.…"),
    "client_id": ("Client Identifier", CLIENT_ID_RE, "amzn1.application-oa2-client.…"),
    "client_secret": ("Client Secret", CLIENT_SECRET_RE, "amzn1.oa2-cs.v1.…"),
    "refresh_token": ("Refresh Token", REFRESH_TOKEN_RE, "Atzr|…"),
    "selling_partner_id": ("Selling partner ID", SELLING_PARTNER_ID_RE, "A2EXAMPLE12345"),
    "aws_access_key_id": ("AWS IAM User Access Key", AWS_ACCESS_KEY_RE, "AKIA followed by 16 characters"),
    "aws_secret_access_key": ("AWS IAM User Secret Access Key", AWS_SECRET_KEY_RE, "40 characters"),
    "aws_role_arn": ("AWS IAM Role ARN", ROLE_ARN_RE, "arn:aws:iam::123456789012:role/SellingPartnerRole"),
}

OLD_SECRET_LIFETIME = timedelta(days=7)
"""Amazon keeps accepting a replaced client secret for 7 days after the new one is generated."""

SECRET_FIELDS = ("client_secret", "refresh_token", "aws_secret_access_key")
CREDENTIAL_FIELDS = (*SECRET_FIELDS, "aws_access_key_id")
"""Never shown (only as set / not set) and never exported: the secrets and the AWS access key."""
ENCRYPTED_FIELDS = (*CREDENTIAL_FIELDS, "aws_role_arn")
"""Encrypted at rest: the credentials and the legacy AWS Role ARN."""

FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "country": "Country",
    "mode": "Enable Restricted Data Access Mode",
    **{field: rule[0] for field, rule in FIELD_RULES.items()},
    "redirect_uri": "OAuth Redirect URI",
    "draft_app": "Draft app (authorise with version=beta)",
    "environment": "Environment",
    "retries": "Number of Retries",
    "retry_wait": "Retry Wait Time",
    "pagination": "Enable Pagination",
    "extended_logging": "Use Extended Logging",
    "sign_requests": "Sign requests with these AWS keys (legacy SigV4)",
}
"""Each setting's label in the connection dialog (the Advanced ones by their own name)."""


class Mode(StrEnum):
    STANDARD = "standard"
    """Authorise through Seller Central (OAuth website workflow)."""
    RESTRICTED = "restricted"
    """Restricted Data Access Mode: a private app's self-authorised refresh token."""


class Status(StrEnum):
    INCOMPLETE = "Configuration Incomplete"
    NOT_AUTHORISED = "Not authorised"
    READY = "Ready"


class AdvancedSettings(BaseModel):
    """The Advanced node: throttling retries, pagination, extended logging."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    retries: Annotated[int, Field(ge=0, le=10, description="Number of retries on throttling (0-10).")] = 3
    retry_wait: Annotated[int, Field(ge=1, le=30, description="Retry wait time in seconds (1-30).")] = 3
    pagination: Annotated[bool, Field(description="Follow next-page tokens and merge the pages.")] = True
    extended_logging: Annotated[bool, Field(description="Log each request and response, redacted.")] = False
    sign_requests: Annotated[
        bool,
        Field(description="Sign requests with the AWS IAM keys (legacy SigV4; Amazon no longer needs it)."),
    ] = False


def _check_port(parts: SplitResult, what: str) -> None:
    try:
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        raise ValueError(f"{what} {parts.geturl()!r} has an invalid port (use 1-65535)") from None


def _check_pattern(field: str, value: str) -> str:
    label, pattern, example = FIELD_RULES[field]
    if not pattern.match(value):
        shown = "" if field in SECRET_FIELDS else f" {value!r}"
        raise ValueError(f"{label}{shown} is not in the expected form; it looks like {example}")
    return value


class ConnectionSettings(BaseModel):
    """Everything the user configures for one connection. Any field but ``name`` may be missing."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)

    name: str
    country: str | None = None
    mode: Mode = Mode.STANDARD
    app_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    selling_partner_id: str | None = None
    redirect_uri: str | None = None
    draft_app: bool = False
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_role_arn: str | None = None
    environment: str = "production"
    advanced: AdvancedSettings = Field(default_factory=AdvancedSettings)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError(
                f"Name {v!r} is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter"
                " or digit"
            )
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        try:
            return get_marketplace(v).code
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("app_id", "client_id", "selling_partner_id", "aws_access_key_id", "aws_role_arn")
    @classmethod
    def _plain_patterns(cls, v: str | None, info: Any) -> str | None:
        if v is None or v == "":
            return None
        return _check_pattern(info.field_name, v)

    @field_validator("client_secret", "refresh_token", "aws_secret_access_key", mode="before")
    @classmethod
    def _secret_patterns(cls, v: object, info: Any) -> object:
        raw = v.get_secret_value() if isinstance(v, SecretStr) else v
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            raise ValueError("must be text")
        return _check_pattern(info.field_name, raw.strip())

    @field_validator("redirect_uri")
    @classmethod
    def _redirect_uri(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"OAuth redirect URI {v!r} must be an absolute http(s) URL")
        if parts.fragment or "#" in v:
            raise ValueError(
                f"OAuth redirect URI {v!r} must not contain a '#' fragment (Amazon error MD5110)"
            )
        _check_port(parts, "OAuth redirect URI")
        return v

    @field_validator("environment")
    @classmethod
    def _environment(cls, v: str) -> str:
        try:
            return normalise_environment(v)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None

    # --- derived -----------------------------------------------------------------------------

    @property
    def marketplace(self) -> Marketplace | None:
        return get_marketplace(self.country) if self.country else None

    @property
    def effective_redirect_uri(self) -> str:
        return self.redirect_uri or DEFAULT_REDIRECT_URI

    def missing(self) -> list[str]:
        """Labels of the settings still needed before the connection can be authorised."""
        needed = ["country", "app_id", "client_id", "client_secret"]
        if self.mode is Mode.RESTRICTED:
            needed.append("refresh_token")
        return [FIELD_LABELS[f] for f in needed if getattr(self, f) is None]

    def authorisation_fingerprint(self) -> str:
        """Changes whenever an earlier authorisation stops applying: another app, client, environment
        or region (a refresh token belongs to one client and covers one region)."""
        market = self.marketplace
        parts = (self.app_id, self.client_id, self.environment, market.region if market else None)
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def secret(self, field: str) -> str | None:
        """The plain value of a secret (or other encrypted) field."""
        value = getattr(self, field)
        return value.get_secret_value() if isinstance(value, SecretStr) else value


class ApplicationRecord(BaseModel):
    """An application's client secret, shared by every connection with its client ID (and LWA endpoint).

    ``secret_expires_at`` is Amazon's ``clientSecretExpiryTime`` once a notification said it;
    ``previous_secret`` is the one a rotation replaced, usable until ``previous_expires_at``;
    ``rotation_requested_at`` is set from a rotation request until its new secret arrives.
    """

    model_config = ConfigDict(extra="forbid")

    id: int
    client_id: str
    token_url: str
    client_secret: SecretStr | None = None
    secret_issued_at: datetime | None = None
    secret_expires_at: datetime | None = None
    previous_secret: SecretStr | None = None
    previous_expires_at: datetime | None = None
    rotation_requested_at: datetime | None = None
    queue_url: str | None = None
    aws_region: str | None = None
    aws_profile: str | None = None
    version: int = 1
    updated_at: datetime

    def secret(self) -> str | None:
        return self.client_secret.get_secret_value() if self.client_secret else None

    def previous(self, now: datetime) -> str | None:
        """The replaced secret while Amazon still accepts it; never after ``previous_expires_at``."""
        if (
            self.previous_secret is None
            or self.previous_expires_at is None
            or now >= self.previous_expires_at
        ):
            return None
        return self.previous_secret.get_secret_value()


class ConnectionRecord(BaseModel):
    """A stored connection: the settings plus what the store and the actions record about it.

    With a client ID, ``settings.client_secret`` is the application's (``application``)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    settings: ConnectionSettings
    application: ApplicationRecord | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime
    client_secret_set_at: datetime | None = None
    authorised_at: datetime | None = None
    logged_out_at: datetime | None = None
    last_test_ok: bool | None = None
    last_test_at: datetime | None = None
    last_test_summary: str | None = None
    unknown_settings: dict[str, Any] = Field(default_factory=dict)
    """Settings this version does not know (a newer version or a hand wrote them): kept on save."""

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def status(self) -> Status:
        s = self.settings
        if s.missing():
            return Status.INCOMPLETE
        if s.refresh_token is None:
            return Status.INCOMPLETE if self.logged_out_at else Status.NOT_AUTHORISED
        return Status.READY if self.authorised_at else Status.NOT_AUTHORISED

    @property
    def status_detail(self) -> str:
        """The status with what to do next."""
        s = self.settings
        missing = s.missing()
        if missing:
            return f"{Status.INCOMPLETE}: missing {', '.join(missing)}"
        if s.refresh_token is None:
            if self.logged_out_at:
                return f"{Status.INCOMPLETE}: logged out; authorise again"
            return f"{Status.NOT_AUTHORISED}: run authorise"
        if not self.authorised_at:
            return f"{Status.NOT_AUTHORISED}: run authorise"
        return str(Status.READY)


def _nested_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    field = model.model_fields.get(name)
    nested = field.annotation if field else None
    return nested if isinstance(nested, type) and issubclass(nested, BaseModel) else None


def split_unknown(model: type[BaseModel], data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` as the fields ``model`` knows (nested models too) and the rest, in the same shape."""
    known: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for name, value in data.items():
        nested = _nested_model(model, name)
        if name not in model.model_fields:
            unknown[name] = value
        elif nested is not None and isinstance(value, Mapping):
            known[name], extra = split_unknown(nested, value)
            if extra:
                unknown[name] = extra
        else:
            known[name] = value
    return known, unknown


def with_unknown(known: Mapping[str, Any], unknown: Mapping[str, Any]) -> dict[str, Any]:
    """``known`` with the ``unknown`` fields put back where they were (the inverse of split_unknown)."""
    merged = dict(known)
    for name, value in unknown.items():
        inner = merged.get(name)
        merged[name] = with_unknown(inner, value) if isinstance(inner, Mapping) else value
    return merged


def unknown_paths(model: type[BaseModel], unknown: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The dotted names of the ``unknown`` fields split_unknown found: ``advanced.colour``."""
    paths: list[str] = []
    for name, value in unknown.items():
        nested = _nested_model(model, name)
        if name in model.model_fields and nested is not None and isinstance(value, Mapping):
            paths += unknown_paths(nested, value, f"{prefix}{name}.")
        else:
            paths.append(f"{prefix}{name}")
    return paths


def field_errors(exc: ValidationError) -> dict[str, str]:
    """One readable sentence per field (``advanced.retries`` for nested ones), without echoing secrets."""
    errors: dict[str, str] = {}
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "value"
        errors.setdefault(loc, str(err["msg"]).removeprefix("Value error, "))
    return errors


def validation_message(exc: ValidationError) -> str:
    """pydantic's error list as one line: ``field: what is wrong; …``."""
    return "; ".join(f"{loc}: {msg}" for loc, msg in field_errors(exc).items())


def to_configuration_error(exc: ValidationError) -> ConfigurationError:
    errors = field_errors(exc)
    return ConfigurationError(validation_message(exc), field=next(iter(errors), None), fields=errors)
