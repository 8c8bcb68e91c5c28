"""Order status up: merchant-fulfilled orders confirmed shipped (Orders API v0 ``confirmShipment``) with
the carrier, tracking number and the items in the package, one package per input record; the order
then shows as Shipped (or PartiallyShipped) in the next orders sync.

Records have the columns ``order_id``, ``carrier`` (Amazon's carrier code, e.g. ``UPS``, or ``Other``
with ``carrier_name``), ``tracking``, and optionally ``method`` (the shipping method), ``ship_date``
(ISO 8601; default now), ``package`` (a number unique within the order; default the package's place
among the order's packages in the input) and ``items`` (``ORDER_ITEM_ID:QUANTITY`` separated by
commas or semicolons; an ID alone or no items at all: every unit not yet shipped).

A confirmation is sent once: a run keeps Amazon's answer to each record (see ``submissions``), and a
rerun after a crash sends only the records that have none (after a finished run, none: its results are
reported again), unless ``again``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.calls import Unanswered, answered, gather_limited
from amazon_connector.data.progress import SILENT, Progress
from amazon_connector.data.results import Issue, RecordResult, answer_of, from_answer, refused
from amazon_connector.data.sources import InputRecord, Source
from amazon_connector.data.submissions import Submissions
from amazon_connector.runtime.spapi import ApiResponse

CONFIRM = "orders/v0/confirmShipment"
ORDER_ITEMS = "orders/v0/getOrderItems"
KIND = "shipments"
ITEM = re.compile(r"^([A-Za-z0-9-]+)(?::(\d+))?$")


def require_columns(source: Source) -> None:
    source.require("order_id", "carrier", "tracking")


@dataclass(frozen=True, slots=True)
class Shipment:
    """One package of one order; ``items`` None or an item's quantity None: its units not yet shipped."""

    record: InputRecord
    order_id: str
    carrier: str
    carrier_name: str | None
    tracking: str
    method: str | None
    ship_date: datetime | None
    package: str
    items: dict[str, int | None] | None

    def sent(self) -> dict[str, Any]:
        found: dict[str, Any] = {"carrier": self.carrier, "tracking": self.tracking, "package": self.package}
        if self.items:
            found["items"] = dict(self.items)
        return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


def _items(text: str | None) -> dict[str, int | None] | None:
    if text is None:
        return None
    found: dict[str, int | None] = {}
    for part in (p.strip() for p in re.split(r"[;,]", text)):
        match = ITEM.match(part)
        if match is None or (match.group(2) is not None and int(match.group(2)) < 1):
            raise ValueError(f"the item {part!r} is not ORDER_ITEM_ID:QUANTITY with a quantity of 1 or more")
        if match.group(1) in found:
            raise ValueError(f"the item {match.group(1)} is named twice")
        found[match.group(1)] = int(match.group(2)) if match.group(2) else None
    return found


def _date(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"the ship date {text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse(records: Iterable[InputRecord]) -> tuple[list[Shipment], list[RecordResult]]:
    """The shipments the records ask for, and the records refused before sending."""
    shipments: list[Shipment] = []
    refusals: list[RecordResult] = []
    packages: dict[str, int] = {}
    for record in records:
        if record.problem is not None:
            refusals.append(
                refused(record, None, "UNREADABLE", f"Line {record.line} cannot be read: {record.problem}.")
            )
            continue
        values = record.values
        order_id = _text(values.get("order_id"))
        missing = [c for c in ("order_id", "carrier", "tracking") if _text(values.get(c)) is None]
        if missing:
            refusals.append(
                refused(record, order_id, "MISSING_VALUE", f"Line {record.line} has no {', '.join(missing)}.")
            )
            continue
        assert order_id is not None
        carrier, carrier_name = str(_text(values["carrier"])), _text(values.get("carrier_name"))
        if carrier == "Other" and carrier_name is None:
            refusals.append(
                refused(
                    record,
                    order_id,
                    "MISSING_VALUE",
                    f"Line {record.line}: carrier Other needs a carrier_name.",
                )
            )
            continue
        try:
            items, ship_date = _items(_text(values.get("items"))), _date(_text(values.get("ship_date")))
        except ValueError as exc:
            refusals.append(
                refused(record, order_id, "INVALID_VALUE", f"Line {record.line} (order {order_id}): {exc}.")
            )
            continue
        packages[order_id] = packages.get(order_id, 0) + 1
        package = _text(values.get("package")) or str(packages[order_id])
        shipments.append(
            Shipment(
                record,
                order_id,
                carrier,
                carrier_name,
                str(_text(values["tracking"])),
                _text(values.get("method")),
                ship_date,
                package,
                items,
            )
        )
    return _without_duplicates(shipments, refusals)


def _without_duplicates(
    shipments: list[Shipment], refusals: list[RecordResult]
) -> tuple[list[Shipment], list[RecordResult]]:
    """Every line of a package given twice (the same order and package) is refused."""
    lines: dict[tuple[str, str], list[int]] = {}
    for s in shipments:
        lines.setdefault((s.order_id, s.package), []).append(s.record.line)
    kept = []
    for s in shipments:
        seen = lines[(s.order_id, s.package)]
        if len(seen) == 1:
            kept.append(s)
        else:
            message = (
                f"Order {s.order_id} package {s.package} is on lines {', '.join(map(str, seen))}: none of "
                "them was sent; give each package once."
            )
            refusals.append(refused(s.record, s.order_id, "DUPLICATE_PACKAGE", message))
    return kept, refusals


@dataclass(frozen=True)
class ShipReport:
    results: list[RecordResult]
    resumed: bool = False


def _digest(connection: Connection, shipments: Sequence[Shipment]) -> str:
    identity = [
        KIND,
        connection.marketplace.marketplace_id,
        [[s.record.line, s.record.values] for s in shipments],
    ]
    return hashlib.sha256(json.dumps(identity, default=str, separators=(",", ":")).encode()).hexdigest()


async def _units(connection: Connection, shipment: Shipment) -> dict[str, int]:
    """The units the package ships: as given, else every unit of the order (or item) not yet shipped."""
    given = shipment.items or {}
    if shipment.items and all(q is not None for q in given.values()):
        return {item: q for item, q in given.items() if q is not None}
    answer = await connection.acall(ORDER_ITEMS, orderId=shipment.order_id)
    left = {
        str(i["OrderItemId"]): int(i.get("QuantityOrdered", 0)) - int(i.get("QuantityShipped") or 0)
        async for i in answer
    }
    if not given:
        return {item: units for item, units in left.items() if units > 0}
    return {item: q if q is not None else left.get(item, 0) for item, q in given.items()}


async def _confirm(connection: Connection, shipment: Shipment) -> tuple[RecordResult, bool]:
    """Confirm one package; its result and whether Amazon's answer settles it."""
    reference = f"order {shipment.order_id} package {shipment.package}"
    units = await answered(_units(connection, shipment))
    if isinstance(units, dict) and not units:
        issue = Issue("NOTHING_TO_SHIP", f"Order {shipment.order_id} has no units left to ship.")
        return RecordResult(shipment.record, shipment.order_id, (issue,), sent=shipment.sent()), True
    answer = units if isinstance(units, Unanswered) else await answered(_send(connection, shipment, units))
    if isinstance(answer, Unanswered):
        result = RecordResult(
            shipment.record,
            shipment.order_id,
            answer.issues,
            "confirmShipment",
            reference,
            answer.request_id,
            shipment.sent(),
        )
        return result, answer.settled
    assert isinstance(units, dict)
    sent = {**shipment.sent(), "items": units}
    return RecordResult(
        shipment.record, shipment.order_id, (), "confirmShipment", reference, answer.request_id, sent
    ), True


async def _send(connection: Connection, shipment: Shipment, units: Mapping[str, int]) -> ApiResponse:
    package = {
        "packageReferenceId": shipment.package,
        "carrierCode": shipment.carrier,
        "carrierName": shipment.carrier_name,
        "shippingMethod": shipment.method,
        "trackingNumber": shipment.tracking,
        "shipDate": shipment.ship_date or connection.clock.now(),
        "orderItems": [{"orderItemId": item, "quantity": q} for item, q in units.items()],
    }
    body = {
        "marketplaceId": connection.marketplace.marketplace_id,
        "packageDetail": {k: v for k, v in package.items() if v is not None},
    }
    return await connection.acall(CONFIRM, orderId=shipment.order_id, body=body)


async def aconfirm_shipments(
    connection: Connection,
    records: Iterable[InputRecord],
    *,
    again: bool = False,
    progress: Progress = SILENT,
) -> ShipReport:
    """Confirm the shipments of the records, each once (see the module's doc; ``again``: an input sent
    already is sent again); a result per record."""
    shipments, refusals = parse(records)
    if not shipments:
        return ShipReport(refusals)
    submissions = Submissions(connection.store, connection.clock)
    digest = _digest(connection, shipments)
    run = submissions.start(connection.record.id, KIND, digest, "confirmShipment", again=again)
    if run.note:
        progress.note(run.note)
    answered = submissions.answers(run.id)
    results = [
        from_answer(s.record, s.order_id, answered[s.record.line], s.sent())
        for s in shipments
        if s.record.line in answered
    ]
    waiting = [s for s in shipments if s.record.line not in answered]

    async def one(shipment: Shipment) -> tuple[RecordResult, bool]:
        result, settled = await _confirm(connection, shipment)
        if settled:
            await asyncio.to_thread(submissions.answered, run.id, shipment.record.line, answer_of(result))
        progress.advance()
        return result, settled

    progress.start("Confirming shipments", len(waiting))
    try:
        sent = await gather_limited(waiting, one)
    finally:
        progress.finish()
    if all(settled for _, settled in sent):
        submissions.finish(run.id)
    return ShipReport(refusals + results + [r for r, _ in sent], run.resumed)


def confirm_shipments(
    connection: Connection,
    records: Iterable[InputRecord],
    *,
    again: bool = False,
    progress: Progress = SILENT,
) -> ShipReport:
    """The blocking form of ``aconfirm_shipments``."""
    return asyncio.run(aconfirm_shipments(connection, records, again=again, progress=progress))


def shipment_record(values: Mapping[str, Any]) -> InputRecord:
    """One shipment given on the command line, as an input record (line 1)."""
    return InputRecord(1, {k: v for k, v in values.items() if v is not None})
