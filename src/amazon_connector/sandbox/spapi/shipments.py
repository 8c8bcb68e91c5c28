"""Orders API v0 confirmShipment: a merchant-fulfilled order's package confirmed shipped with its carrier
and tracking number, which moves the order to PartiallyShipped or Shipped in the order book (from then
on the order takes only such explicit steps); the packages, with the units of each item, are kept in
``packages``.

updateShipmentStatus: the pickup flow of a merchant-fulfilled order that is Unshipped or PartiallyShipped
(as in India's Easy Ship; the emulator offers it in every marketplace). ReadyForPickup first (again after
a RefusedPickup), then PickedUp or RefusedPickup; each update is kept in ``packages`` (the ground truth
shows them), and PickedUp for the whole order (no ``orderItems``) moves it to Shipped.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.spapi.order_book import OrderHeader, OrderStateError, Status
from amazon_connector.sandbox.times import iso

SHIPPABLE = frozenset({Status.UNSHIPPED, Status.PARTIALLY_SHIPPED})


PICKUP_AFTER: dict[str | None, frozenset[str]] = {
    None: frozenset({"ReadyForPickup"}),
    "ReadyForPickup": frozenset({"PickedUp", "RefusedPickup"}),
    "RefusedPickup": frozenset({"ReadyForPickup"}),
    "PickedUp": frozenset(),
}
"""The shipment statuses an order may take after its latest one (None: it has none yet)."""


def _shippable(call: Call, what: str) -> OrderHeader:
    """The call's order if it exists, is in the body's marketplace, is merchant-fulfilled and not yet
    shipped (``what``: the step asked for, for the message); else Amazon's refusal."""
    book, order_id, body = call.sandbox.orders, call.path("orderId"), call.inputs.body
    header = book.find(call.identity.authorising_seller, order_id)
    if header is None:
        raise not_found(f"Order {order_id} not found.")
    if body["marketplaceId"] != header.marketplace_id:
        raise invalid_input(
            INPUT_NOT_VALID, f"Order {order_id} is not in marketplace {body['marketplaceId']}."
        )
    if header.fulfillment_channel == "AFN":
        raise invalid_input(
            INPUT_NOT_VALID, f"Order {order_id} is fulfilled by Amazon: Amazon confirms its shipment."
        )
    if header.status not in SHIPPABLE:
        raise invalid_input(
            INPUT_NOT_VALID,
            f"Order {order_id} is {header.status}: only Unshipped or PartiallyShipped orders can {what}.",
        )
    return header


def _ship(call: Call, header: OrderHeader, status: Status) -> None:
    if status is not header.status:
        try:
            call.sandbox.orders.change_status(call.identity.authorising_seller, header.order_id, status)
        except OrderStateError as exc:  # the order moved on since it was read (cancelled, say)
            raise invalid_input(INPUT_NOT_VALID, str(exc)) from None


async def confirm_shipment(call: Call) -> Response:
    seller, book = call.identity.authorising_seller, call.sandbox.orders
    order_id = call.path("orderId")
    header = _shippable(call, "be confirmed")
    package = call.inputs.body["packageDetail"]
    if package["carrierCode"] == "Other" and not package.get("carrierName"):
        raise invalid_input(INPUT_NOT_VALID, "carrierName is required when carrierCode is Other.")
    if not str(package["trackingNumber"]).strip():
        raise invalid_input(INPUT_NOT_VALID, "trackingNumber must not be empty.")
    if parse_time(package["shipDate"], "shipDate") < header.purchased:
        raise invalid_input(INPUT_NOT_VALID, "shipDate is before the order was placed.")
    ordered = {i.order_item_id: i.quantity for i in book.details(seller, header).items}
    packages = call.sandbox.packages
    shipped = packages.shipped(seller.selling_partner_id, order_id)
    units: dict[str, int] = {}
    for entry in package["orderItems"]:
        item_id, quantity = entry["orderItemId"], entry["quantity"]
        if item_id not in ordered:
            raise invalid_input(INPUT_NOT_VALID, f"Order item {item_id} is not in order {order_id}.")
        left = ordered[item_id] - shipped.get(item_id, 0) - units.get(item_id, 0)
        if not 1 <= quantity <= left:
            raise invalid_input(
                INPUT_NOT_VALID,
                f"Order item {item_id}: quantity {quantity} is not 1 - {left} (the units not yet shipped).",
            )
        units[item_id] = units.get(item_id, 0) + quantity
    done = all(shipped.get(i, 0) + units.get(i, 0) >= quantity for i, quantity in ordered.items())
    _ship(call, header, Status.SHIPPED if done else Status.PARTIALLY_SHIPPED)
    packages.add(seller.selling_partner_id, order_id, package)
    return Response(status_code=204)


async def update_shipment_status(call: Call) -> Response:
    seller, packages = call.identity.authorising_seller, call.sandbox.packages
    order_id, body = call.path("orderId"), call.inputs.body
    status = body["shipmentStatus"]
    header = _shippable(call, f"take the shipment status {status}")
    earlier = packages.statuses(seller.selling_partner_id, order_id)
    latest = earlier[-1]["status"] if earlier else None
    if status not in PICKUP_AFTER[latest]:
        after = f"its shipment status is {latest}" if latest else "it has no shipment status yet"
        allowed = ", ".join(sorted(PICKUP_AFTER[latest])) or "none"
        raise invalid_input(
            INPUT_NOT_VALID, f"Order {order_id}: {status} does not apply: {after} (next: {allowed})."
        )
    ordered = {i.order_item_id: i.quantity for i in call.sandbox.orders.details(seller, header).items}
    named: set[str] = set()
    for entry in body.get("orderItems") or []:
        item_id, quantity = entry.get("orderItemId"), entry.get("quantity")
        if item_id not in ordered or item_id in named:
            raise invalid_input(
                INPUT_NOT_VALID, f"Order item {item_id} is not in order {order_id} (or is named twice)."
            )
        if quantity is not None and not 1 <= quantity <= ordered[item_id]:
            raise invalid_input(
                INPUT_NOT_VALID, f"Order item {item_id}: quantity {quantity} is not 1 - {ordered[item_id]}."
            )
        named.add(item_id)
    if status == "PickedUp" and not named:
        _ship(call, header, Status.SHIPPED)
    update: dict[str, Any] = {"status": status, "at": iso(call.sandbox.clock.now())}
    if named:
        update["orderItems"] = body["orderItems"]
    packages.add_status(seller.selling_partner_id, order_id, update)
    return Response(status_code=204)


HANDLERS: dict[str, Handler] = {
    "orders/v0/confirmShipment": confirm_shipment,
    "orders/v0/updateShipmentStatus": update_shipment_status,
}
