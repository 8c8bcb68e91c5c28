"""Order status up: merchant-fulfilled orders confirmed shipped (Orders API v0 ``confirmShipment``) with
the carrier, tracking number and the items in the package, one package per input record; the order
then shows as Shipped (or PartiallyShipped) in the next orders sync. A record with a ``status``
(ReadyForPickup, PickedUp, RefusedPickup) updates the shipment status instead (``updateShipmentStatus``,
where the marketplace has that flow, e.g. India's Easy Ship), of the order or of its ``items``.

Records have the columns ``order_id``, ``carrier`` (Amazon's carrier code, e.g. ``UPS``, or ``Other``
with ``carrier_name``), ``tracking``, and optionally ``method`` (the shipping method), ``ship_date``
(ISO 8601; default now), ``package`` (a number unique within the order; default the package's place
among the order's packages in the input) and ``items`` (``ORDER_ITEM_ID:QUANTITY`` separated by
commas or semicolons; an ID alone or no items at all: every unit not yet shipped).

A record sends either a status or a carrier and tracking, and gives an order's status once per input.
A confirmation or status update is sent once: a run keeps Amazon's answer to each record (see
``submissions``), and a rerun after a crash sends only the records that have none (after a finished run,
none: its results are reported again), unless ``again``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.calls import Unanswered, answered, gather_limited
from amazon_connector.data.progress import SILENT, Progress
from amazon_connector.data.results import Issue, RecordResult, answer_of, from_answer, refused
from amazon_connector.data.sources import InputRecord, Source
from amazon_connector.data.submissions import Submissions
from amazon_connector.runtime.spapi import ApiResponse

CONFIRM = "orders/v0/confirmShipment"
UPDATE_STATUS = "orders/v0/updateShipmentStatus"
ORDER_ITEMS = "orders/v0/getOrderItems"
KIND = "shipments"
ITEM = re.compile(r"^([A-Za-z0-9-]+)(?::(\d+))?$")


class ShipmentStatus(StrEnum):
    """The shipment statuses ``updateShipmentStatus`` applies."""

    READY_FOR_PICKUP = "ReadyForPickup"
    PICKED_UP = "PickedUp"
    REFUSED_PICKUP = "RefusedPickup"


def require_columns(source: Source) -> None:
    """A file of confirmations needs carrier and tracking columns; one with a status column may lack them."""
    if "status" in (source.columns or ()):
        source.require("order_id")
    else:
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


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A shipment status for an order (``items`` None) or for some of its items (a quantity None: all of
    the item's units)."""

    record: InputRecord
    order_id: str
    status: ShipmentStatus
    items: dict[str, int | None] | None

    def sent(self) -> dict[str, Any]:
        found: dict[str, Any] = {"status": str(self.status)}
        if self.items:
            found["items"] = dict(self.items)
        return found


Update = Shipment | StatusUpdate
"""What one record asks for."""

STATUSES = ", ".join(ShipmentStatus)


def _status(text: str) -> ShipmentStatus:
    try:
        return ShipmentStatus(text)
    except ValueError:
        raise ValueError(f"the status {text!r} is not one of {STATUSES}") from None


def _status_update(record: InputRecord, order_id: str, status: str) -> StatusUpdate | RecordResult:
    values = record.values
    given = [c for c in ("carrier", "tracking") if _text(values.get(c)) is not None]
    if given:
        message = (
            f"Line {record.line} (order {order_id}) gives a status and {' and '.join(given)}: give a status "
            "(a shipment status update) or a carrier and tracking (a shipment confirmation), not both."
        )
        return refused(record, order_id, "INVALID_VALUE", message)
    try:
        return StatusUpdate(record, order_id, _status(status), _items(_text(values.get("items"))))
    except ValueError as exc:
        return refused(record, order_id, "INVALID_VALUE", f"Line {record.line} (order {order_id}): {exc}.")


def parse(records: Iterable[InputRecord]) -> tuple[list[Update], list[RecordResult]]:
    """The shipments and status updates the records ask for, and the records refused before sending."""
    shipments: list[Update] = []
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
        status = _text(values.get("status"))
        if order_id is not None and status is not None:
            update = _status_update(record, order_id, status)
            if isinstance(update, StatusUpdate):
                shipments.append(update)
            else:
                refusals.append(update)
            continue
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


def _slot(update: Update) -> tuple[str, str, str]:
    """What a record is one of in its order (given once per input), and the code of a second one."""
    if isinstance(update, StatusUpdate):
        return update.order_id, "status", "DUPLICATE_STATUS"
    return update.order_id, f"package {update.package}", "DUPLICATE_PACKAGE"


def _without_duplicates(
    updates: list[Update], refusals: list[RecordResult]
) -> tuple[list[Update], list[RecordResult]]:
    """Every line of a package (the same order and package) or of an order's status given twice is
    refused: their effect would hang on the order in which they are sent."""
    lines: dict[tuple[str, str, str], list[int]] = {}
    for u in updates:
        lines.setdefault(_slot(u), []).append(u.record.line)
    kept = []
    for u in updates:
        order_id, what, code = slot = _slot(u)
        seen = lines[slot]
        if len(seen) == 1:
            kept.append(u)
        else:
            message = (
                f"Order {order_id} {what} is on lines {', '.join(map(str, seen))}: none of them was sent; "
                f"give each {what.split()[0]} once."
            )
            refusals.append(refused(u.record, order_id, code, message))
    return kept, refusals


@dataclass(frozen=True)
class ShipReport:
    results: list[RecordResult]
    resumed: bool = False


def _digest(connection: Connection, shipments: Sequence[Update]) -> str:
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


async def _update_status(connection: Connection, update: StatusUpdate) -> tuple[RecordResult, bool]:
    """Send one shipment status; its result and whether Amazon's answer settles it."""
    body: dict[str, Any] = {
        "marketplaceId": connection.marketplace.marketplace_id,
        "shipmentStatus": str(update.status),
    }
    if update.items:
        body["orderItems"] = [
            {"orderItemId": item} | ({} if q is None else {"quantity": q}) for item, q in update.items.items()
        ]
    answer = await answered(connection.acall(UPDATE_STATUS, orderId=update.order_id, body=body))
    issues, settled = (answer.issues, answer.settled) if isinstance(answer, Unanswered) else ((), True)
    reference = f"order {update.order_id} status {update.status}"
    result = RecordResult(
        update.record,
        update.order_id,
        issues,
        "updateShipmentStatus",
        reference,
        answer.request_id,
        update.sent(),
    )
    return result, settled


async def aconfirm_shipments(
    connection: Connection,
    records: Iterable[InputRecord],
    *,
    again: bool = False,
    progress: Progress = SILENT,
) -> ShipReport:
    """Confirm the shipments (or update the shipment statuses) of the records, each once (see the
    module's doc; ``again``: an input sent already is sent again); a result per record."""
    shipments, refusals = parse(records)
    if not shipments:
        return ShipReport(refusals)
    submissions = Submissions(connection.store, connection.clock)
    digest = _digest(connection, shipments)
    run = submissions.start(connection.record.id, KIND, digest, "orders/v0", again=again)
    if run.note:
        progress.note(run.note)
    answered = submissions.answers(run.id)
    results = [
        from_answer(s.record, s.order_id, answered[s.record.line], s.sent())
        for s in shipments
        if s.record.line in answered
    ]
    waiting = [s for s in shipments if s.record.line not in answered]

    async def one(shipment: Update) -> tuple[RecordResult, bool]:
        if isinstance(shipment, StatusUpdate):
            result, settled = await _update_status(connection, shipment)
        else:
            result, settled = await _confirm(connection, shipment)
        if settled:
            await asyncio.to_thread(submissions.answered, run.id, shipment.record.line, answer_of(result))
        progress.advance()
        return result, settled

    progress.start("Sending shipments", len(waiting))
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
