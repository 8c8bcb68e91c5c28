"""What a report request asks for, checked against its report type before anything is sent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from amazon_connector.api.report_types import Format, ReportType, report_type
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import Marketplace, get_marketplace


@dataclass(frozen=True)
class ReportRequest:
    """A report type for some marketplaces, with its data window and options."""

    report_type: ReportType
    marketplace_ids: tuple[str, ...]
    start: datetime | None = None
    end: datetime | None = None
    options: Mapping[str, str] | None = None

    @property
    def key(self) -> str:
        """The same for the same request (marketplaces and options in any order)."""
        identity = [
            self.report_type.name,
            sorted(self.marketplace_ids),
            self.start.isoformat() if self.start else None,
            self.end.isoformat() if self.end else None,
            sorted((self.options or {}).items()),
        ]
        return hashlib.sha256(json.dumps(identity).encode()).hexdigest()

    def body(self) -> dict[str, Any]:
        """createReport's body."""
        body: dict[str, Any] = {
            "reportType": self.report_type.name,
            "marketplaceIds": list(self.marketplace_ids),
        }
        if self.start:
            body["dataStartTime"] = self.start
        if self.end:
            body["dataEndTime"] = self.end
        if self.options:
            body["reportOptions"] = dict(self.options)
        return body

    def describe(self) -> str:
        window = ""
        if self.start or self.end:
            window = f" {_shown(self.start) or '…'} to {_shown(self.end) or 'now'}"
        options = "".join(f" {k}={v}" for k, v in sorted((self.options or {}).items()))
        return f"{self.report_type.name} ({', '.join(self.marketplace_ids)}){window}{options}"


def _shown(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def as_utc(value: datetime | date | str | None, name: str) -> datetime | None:
    """A moment from a datetime, a date (its start, UTC) or ISO 8601 text; naive times are UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConfigurationError(
                f"{name} {value!r} is not a date or time.",
                field=name,
                hint="Write it as ISO 8601: 2026-01-31 or 2026-01-31T12:00:00Z.",
            ) from None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def report_request(
    name: str | ReportType,
    *,
    home: Marketplace,
    now: datetime,
    marketplaces: Iterable[str] | None = None,
    start: datetime | date | str | None = None,
    end: datetime | date | str | None = None,
    options: Mapping[str, str] | None = None,
    format: Format | None = None,
) -> ReportRequest:
    """A checked request; every way it is wrong is a ConfigurationError naming the fix. ``home`` is the
    connection's marketplace: the default, and other marketplaces must be in its region. ``format``
    lets a type missing from the table be requested unchecked."""
    kind = name if isinstance(name, ReportType) else report_type(name, format=format)
    if not kind.requestable:
        raise ConfigurationError(
            f"{kind.name} cannot be requested: Amazon makes these reports itself.",
            field="report_type",
            hint="Get the newest one with --schedule (schedule=True).",
        )
    markets = _marketplaces(marketplaces, home)
    begin, finish = as_utc(start, "start"), as_utc(end, "end")
    _check_window(kind, begin, finish, now)
    return ReportRequest(kind, markets, begin, finish, _checked_options(kind, options or {}))


def _marketplaces(given: Iterable[str] | None, home: Marketplace) -> tuple[str, ...]:
    found = [get_marketplace(m) for m in given or ()] or [home]
    if elsewhere := [m for m in found if m.region != home.region]:
        raise ConfigurationError(
            f"{', '.join(str(m) for m in elsewhere)} is not in this connection's region ({home.region}).",
            field="marketplaces",
            hint="Use a connection of that region for it.",
        )
    return tuple(dict.fromkeys(m.marketplace_id for m in found))


def _check_window(kind: ReportType, start: datetime | None, end: datetime | None, now: datetime) -> None:
    if kind.dates == "none" and (start or end):
        raise ConfigurationError(
            f"{kind.name} is a snapshot: it takes no start or end date.",
            field="start",
            hint="Leave --start and --end out.",
        )
    if kind.dates == "required" and not (start and end):
        raise ConfigurationError(
            f"{kind.name} needs a start and an end date.", field="start", hint="Give --start and --end."
        )
    if start and end and end < start:
        raise ConfigurationError("The end date is before the start date.", field="end")
    if (start and start > now) or (end and end > now + timedelta(minutes=5)):
        raise ConfigurationError(
            "The data window lies in the future.", field="end", hint="End it now or earlier."
        )
    if kind.max_days and start and (end or now) - start > timedelta(days=kind.max_days):
        raise ConfigurationError(
            f"{kind.name} covers at most {kind.max_days} days; this window is {((end or now) - start).days} days.",
            field="start",
            hint=f"Ask for windows of {kind.max_days} days or less, one after another.",
        )
    if kind.max_age_days and start and now - start > timedelta(days=kind.max_age_days):
        raise ConfigurationError(
            f"{kind.name} holds data of the last {kind.max_age_days} days only; the window starts earlier.",
            field="start",
        )


def _checked_options(kind: ReportType, options: Mapping[str, str]) -> dict[str, str] | None:
    for key, value in options.items():
        option = kind.option(key)
        if option is not None and option.values and str(value) not in option.values:
            raise ConfigurationError(
                f"Report option {key}={value} is not valid for {kind.name}.",
                field="options",
                hint=f"Use one of: {', '.join(option.values)}.",
            )
    if missing := [o.name for o in kind.options if o.required and o.name not in options]:
        choices = "; ".join(
            f"{o.name}: {', '.join(o.values)}" for o in kind.options if o.name in missing and o.values
        )
        raise ConfigurationError(
            f"{kind.name} needs the report option(s) {', '.join(missing)}.",
            field="options",
            hint=f"Give them as --option NAME=VALUE{f' ({choices})' if choices else ''}.",
        )
    return {k: str(v) for k, v in sorted(options.items())} or None
