"""The General and Advanced nodes as HTML forms: what each field shows, and what a submitted form changes.

Labels, patterns and ranges come from the library (connections.model); secrets are never put back into a
page: a stored one shows as "set", and a blank field keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amazon_connector.connections import AdvancedSettings, ConnectionRecord, Mode
from amazon_connector.connections.model import CREDENTIAL_FIELDS, FIELD_LABELS, FIELD_RULES
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import all_marketplaces

TEXT_FIELDS = (
    "name",
    "country",
    "app_id",
    "client_id",
    "aws_role_arn",
    "environment",
    "redirect_uri",
    "selling_partner_id",
)
DETAIL_FIELDS = ("environment", "redirect_uri", "draft_app", "selling_partner_id")
"""Where the connection's requests go and how Amazon's answer comes back."""
SECRET_PLACEHOLDER = "•••• (leave blank to keep)"  # noqa: S105 (a placeholder, not a password)
HINTS = {
    "name": "Letters, digits, '.', '_' or '-'; it names the connection in the list and on the command line.",
    "environment": "production, sandbox, or the address of an emulator such as http://127.0.0.1:8765.",
    "redirect_uri": "Where Amazon sends the browser after Confirm; register it for your app in Developer Central.",
    "selling_partner_id": "The seller's merchant ID; Authorise fills it in.",
}


def _bounds(name: str) -> tuple[int, int]:
    """The range the library allows for an Advanced number."""
    metadata = AdvancedSettings.model_fields[name].metadata
    low = next(m.ge for m in metadata if hasattr(m, "ge"))
    high = next(m.le for m in metadata if hasattr(m, "le"))
    return int(low), int(high)


@dataclass
class FieldView:
    """One form control as the template draws it."""

    name: str
    kind: str
    value: str = ""
    checked: bool = False
    is_set: bool = False
    retype: bool = False
    error: str | None = None
    hint: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, str | int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.name]

    @property
    def described_by(self) -> str:
        ids = [
            f"{self.name}-retype" if self.retype else "",
            f"{self.name}-stored" if self.is_set else "",
            f"{self.name}-hint" if self.hint else "",
            f"{self.name}-error" if self.error else "",
        ]
        return " ".join(i for i in ids if i)


def _hint(name: str) -> str | None:
    if name in HINTS:
        return HINTS[name]
    if name in FIELD_RULES:
        return f"Looks like {FIELD_RULES[name][2]}"
    if name in AdvancedSettings.model_fields:
        return AdvancedSettings.model_fields[name].description
    return None


def country_options() -> list[tuple[str, str]]:
    return [("", "— Choose a country —")] + [(m.code, f"{m.country} ({m.code})") for m in all_marketplaces()]


def general_fields(
    record: ConnectionRecord | None,
    submitted: Mapping[str, str] | None,
    errors: Mapping[str, str],
    *,
    default_redirect_uri: str,
) -> dict[str, FieldView]:
    """The General node's controls, showing ``submitted`` (after an error) or the stored settings."""
    settings = record.settings if record else None

    def value(name: str, default: str = "") -> str:
        if submitted is not None:
            return submitted.get(name, "")
        stored = getattr(settings, name, None) if settings else None
        return default if stored is None else str(stored)

    def checked(name: str, stored: bool) -> bool:
        return bool(submitted.get(name)) if submitted is not None else stored

    views: dict[str, FieldView] = {}
    for name in TEXT_FIELDS:
        default = {"environment": "production", "redirect_uri": default_redirect_uri}.get(name, "")
        views[name] = FieldView(name, "select" if name == "country" else "text", value(name, default))
    views["country"].options = country_options()
    views["mode"] = FieldView("mode", "checkbox", checked=checked("mode", _restricted(record)))
    views["draft_app"] = FieldView(
        "draft_app", "checkbox", checked=checked("draft_app", bool(settings and settings.draft_app))
    )
    views["sign_requests"] = FieldView(
        "sign_requests",
        "checkbox",
        checked=checked("sign_requests", bool(settings and settings.advanced.sign_requests)),
    )
    for name in CREDENTIAL_FIELDS:
        views[name] = FieldView(
            name,
            "secret",
            is_set=bool(settings and settings.secret(name)),
            retype=bool(submitted and submitted.get(name, "").strip()),
        )
    for name, view in views.items():
        view.error = errors.get(name)
        view.hint = _hint(name)
    views["name"].attrs = {"required": "required", "maxlength": 64, "autocomplete": "off"}
    return views


def _restricted(record: ConnectionRecord | None) -> bool:
    return record is not None and record.settings.mode is Mode.RESTRICTED


def advanced_fields(
    record: ConnectionRecord, submitted: Mapping[str, str] | None, errors: Mapping[str, str]
) -> dict[str, FieldView]:
    """The Advanced node's controls: Number of Retries, Retry Wait Time, Enable Pagination."""
    advanced = record.settings.advanced
    retries = submitted.get("retries", "") if submitted is not None else str(advanced.retries)
    wait = submitted.get("retry_wait", "") if submitted is not None else str(advanced.retry_wait)
    pagination = bool(submitted.get("pagination")) if submitted is not None else advanced.pagination
    low, high = _bounds("retries")
    wait_low, wait_high = _bounds("retry_wait")
    views = {
        "retries": FieldView(
            "retries",
            "number",
            retries,
            attrs={"min": low, "max": high, "inputmode": "numeric"},
        ),
        "retry_wait": FieldView(
            "retry_wait",
            "select",
            wait,
            options=[(str(s), f"{s} second{'s' if s > 1 else ''}") for s in range(wait_low, wait_high + 1)],
        ),
        "pagination": FieldView("pagination", "checkbox", checked=pagination),
    }
    for name, view in views.items():
        view.error = errors.get(name)
        view.hint = _hint(name)
    return views


def general_changes(form: Mapping[str, str]) -> dict[str, Any]:
    """The settings a submitted General form sets: blank text clears, a blank secret is kept."""
    changes: dict[str, Any] = {name: form.get(name, "").strip() or None for name in TEXT_FIELDS}
    changes["name"] = form.get("name", "").strip()
    changes["environment"] = changes["environment"] or "production"
    changes["mode"] = Mode.RESTRICTED if form.get("mode") == Mode.RESTRICTED else Mode.STANDARD
    changes["draft_app"] = bool(form.get("draft_app"))
    changes["advanced"] = {"sign_requests": bool(form.get("sign_requests"))}
    for name in CREDENTIAL_FIELDS:
        if form.get(f"clear_{name}"):
            changes[name] = None
        elif secret := form.get(name, "").strip():
            changes[name] = secret
    return changes


def advanced_changes(form: Mapping[str, str]) -> dict[str, Any]:
    """The Advanced settings a submitted Advanced form sets (the library checks the ranges)."""
    return {
        "retries": form.get("retries", "").strip(),
        "retry_wait": form.get("retry_wait", "").strip(),
        "pagination": bool(form.get("pagination")),
    }


def errors_by_field(exc: ConfigurationError) -> dict[str, str]:
    """The library's messages keyed by form field (``advanced.retries`` -> ``retries``)."""
    return {loc.rsplit(".", 1)[-1]: message for loc, message in exc.fields.items()}


def missing_fields(missing_labels: list[str]) -> dict[str, str]:
    """Form fields for the labels ``ConnectionSettings.missing()`` names."""
    by_label = {label: name for name, label in FIELD_LABELS.items()}
    return {by_label[label]: f"{label} is needed to authorise." for label in missing_labels}
