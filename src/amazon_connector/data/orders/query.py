"""Which orders to fetch, and how: the window, the filters, the API and the path, checked once for every
command and library call (one clear message for each mistake, before anything is fetched)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from amazon_connector.data.orders.records import STATUSES, status_of
from amazon_connector.errors import ConfigurationError, UnknownMarketplaceError
from amazon_connector.marketplaces import Marketplace, get_marketplace

V0_REMOVAL = "2027-03-27"
V0_WARNING = (
    f"Orders API v0 is deprecated and Amazon removes it on {V0_REMOVAL}; Orders v2026-01-01 (the default) "
    "gives the same records without Restricted Data Tokens."
)
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}\Z")
V0_ONLY = "INVOICE_UNCONFIRMED"
"""A status of Orders v0 (India, China) that v2026-01-01 has not."""
QUIET = timedelta(minutes=2)
"""Amazon's searches end at least two minutes before now."""
REPORT_AFTER = timedelta(days=1)
"""Windows longer than this also ask for the order report (``path="auto"``), whichever covers them
first wins (see the README's measurements)."""


class Api(StrEnum):
    V2026 = "2026-01-01"
    V0 = "v0"


class Path(StrEnum):
    """``api``: pages of the Orders API; ``report``: the order tracking report (no buyer PII); ``auto``:
    the API, and for a long window without buyer data also the report, whichever is done first."""

    AUTO = "auto"
    API = "api"
    REPORT = "report"


class DateField(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


@dataclass(frozen=True)
class OrderQuery:
    """Which orders: a window of purchase (``by="created"``) or last-update dates, with optional filters.

    ``since`` is required unless ``order_ids`` are given; ``until`` defaults to two minutes before now
    (as Amazon says). Either may be a timedelta: that long before now on the connection's clock (an
    emulator's, when it runs faster), named by the span, so the same query resumes its interrupted job. ``statuses`` in any API's words (``Shipped``, ``SHIPPED``, ``Canceled``),
    ``channels`` AFN or MFN, ``marketplaces`` codes or IDs of the connection's region (default: the
    connection's own). ``buyer_data`` None: as the connection's Restricted Data Access Mode says."""

    since: datetime | timedelta | None = None
    until: datetime | timedelta | None = None
    by: DateField | str = DateField.CREATED
    statuses: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()
    api: Api | str = Api.V2026
    path: Path | str = Path.AUTO
    buyer_data: bool | None = None


@dataclass(frozen=True)
class Resolved:
    """A checked query, every value in its final form."""

    since: datetime | None
    until: datetime | None
    by: DateField
    statuses: tuple[str, ...]
    channels: tuple[str, ...]
    marketplaces: tuple[str, ...]
    order_ids: tuple[str, ...]
    api: Api
    path: Path
    buyer_data: bool
    ago: dict[str, float] = field(default_factory=dict)
    """The moments given relative to now: their name and how many seconds before now."""

    def params(self) -> dict[str, Any]:
        """The query as JSON (what a job resumes with)."""
        values = asdict(self)
        del values["ago"]
        for name in ("since", "until"):
            values[name] = values[name].isoformat() if values[name] else None
        return values

    @classmethod
    def from_params(cls, values: dict[str, Any]) -> Resolved:
        times = {n: datetime.fromisoformat(values[n]) if values[n] else None for n in ("since", "until")}
        return cls(
            **{
                **values,
                **times,
                "by": DateField(values["by"]),
                "api": Api(values["api"]),
                "path": Path(values["path"]),
                **{n: tuple(values[n]) for n in ("statuses", "channels", "marketplaces", "order_ids")},
            }
        )

    def identity(self, *parts: object) -> str:
        """A stable hash of the query and ``parts`` (destination, mode): an interrupted job's key. A moment
        given relative to now counts as given (``30d``), not as the time it came to on this run."""
        values = self.params()
        values.update({name: f"{seconds:g} s before now" for name, seconds in self.ago.items()})
        text = json.dumps([values, *map(str, parts)], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def matches(self, order: dict[str, Any]) -> bool:
        """Whether a normalised order passes the filters (for sources that cannot filter: the report,
        lookups by ID)."""
        return (
            (not self.statuses or order["status"] in self.statuses)
            and (not self.channels or order["fulfillment_channel"] in self.channels)
            and (not self.marketplaces or order["marketplace_id"] in self.marketplaces)
        )

    @property
    def window(self) -> timedelta | None:
        if self.since is None or self.until is None:
            return None
        return self.until - self.since

    def with_window(self, since: datetime, until: datetime | None) -> Resolved:
        return replace(self, since=since, until=until)


def _utc(moment: datetime | timedelta | None, name: str, now: datetime) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, timedelta):
        return now - moment
    if moment.tzinfo is None:
        raise ConfigurationError(
            f"{name} {moment.isoformat()} has no time zone.",
            field=name,
            hint="Give UTC, e.g. 2026-01-31T12:00:00Z.",
        )
    return moment.astimezone(UTC)


def _enum(kind: type[StrEnum], value: Any, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ConfigurationError(
            f"Unknown {name} {value!r}.", field=name, hint=f"Use one of: {', '.join(map(str, kind))}."
        ) from None


def _statuses(values: Iterable[str]) -> tuple[str, ...]:
    found = []
    for value in values:
        status = status_of(value)
        if status not in STATUSES:
            raise ConfigurationError(
                f"Unknown order status {value!r}.",
                field="status",
                hint=f"Use one of: {', '.join(STATUSES)} (any API's spelling, e.g. Shipped).",
            )
        found.append(status)
    return tuple(dict.fromkeys(found))


def _channels(values: Iterable[str]) -> tuple[str, ...]:
    words = {"AFN": "AFN", "AMAZON": "AFN", "MFN": "MFN", "MERCHANT": "MFN"}
    found = []
    for value in values:
        if value.strip().upper() not in words:
            raise ConfigurationError(
                f"Unknown fulfilment channel {value!r}.",
                field="channel",
                hint="Use AFN (fulfilled by Amazon) or MFN (by the seller).",
            )
        found.append(words[value.strip().upper()])
    return tuple(dict.fromkeys(found))


def _marketplaces(values: Iterable[str], own: Marketplace) -> tuple[str, ...]:
    found = []
    for value in values:
        try:
            marketplace = get_marketplace(value)
        except UnknownMarketplaceError as exc:
            raise ConfigurationError(exc.message, field="marketplace", hint=exc.hint) from None
        if marketplace.region != own.region:
            raise ConfigurationError(
                f"{marketplace} is not in the connection's region ({own.region}).",
                field="marketplace",
                hint="A connection reaches the marketplaces of its own region; add a connection for the other.",
            )
        found.append(marketplace.marketplace_id)
    return tuple(dict.fromkeys(found)) or (own.marketplace_id,)


def resolve(
    query: OrderQuery,
    *,
    marketplace: Marketplace,
    restricted_mode: bool,
    now: datetime,
    needs_since: bool = True,
) -> Resolved:
    """The query checked against the connection (its marketplace and mode) and the clock: every mistake
    is a ConfigurationError saying what to change. ``needs_since``: a window without a start is a
    mistake (a sync finds its start in the store)."""
    since, until = _utc(query.since, "since", now), _utc(query.until, "until", now)
    ids = tuple(dict.fromkeys(i.strip() for i in query.order_ids))
    if bad := [i for i in ids if not ORDER_ID.match(i)]:
        raise ConfigurationError(
            f"{bad[0]!r} is not an Amazon order ID.",
            field="order_id",
            hint="Order IDs look like 123-1234567-1234567.",
        )
    if not ids and since is None and needs_since:
        raise ConfigurationError("Give the start of the window (since) or order IDs.", field="since")
    if since is not None and since > now - QUIET:
        raise ConfigurationError(
            f"The window starts in the future ({since.isoformat()}).",
            field="since",
            hint="Amazon's orders end two minutes before now; give an earlier start.",
        )
    if since is not None and until is not None and until <= since:
        raise ConfigurationError(
            f"The window ends ({until.isoformat()}) before it starts ({since.isoformat()}).", field="until"
        )
    if until is not None and until > now - QUIET:
        raise ConfigurationError(
            "The window may end two minutes before now at the latest.",
            field="until",
            hint="Leave the end out: it then ends two minutes before now.",
        )
    path, api, statuses = (
        _enum(Path, query.path, "path"),
        _enum(Api, query.api, "Orders API version"),
        _statuses(query.statuses),
    )
    if api is Api.V2026 and V0_ONLY in statuses:
        raise ConfigurationError(
            f"Orders v2026-01-01 has no status {V0_ONLY}.", field="status", hint="Use --api v0."
        )
    if ids and path is Path.REPORT:
        raise ConfigurationError("Orders by ID come from the API, not from the report.", field="path")
    return Resolved(
        since=since,
        until=until,
        by=_enum(DateField, query.by, "date field"),
        statuses=statuses,
        channels=_channels(query.channels),
        marketplaces=_marketplaces(query.marketplaces, marketplace),
        order_ids=ids,
        api=api,
        path=path,
        buyer_data=restricted_mode if query.buyer_data is None else query.buyer_data,
        ago={
            name: moment.total_seconds()
            for name, moment in (("since", query.since), ("until", query.until))
            if isinstance(moment, timedelta)
        },
    )
