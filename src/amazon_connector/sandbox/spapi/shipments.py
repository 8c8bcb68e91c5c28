"""Orders API v0 confirmShipment: a merchant-fulfilled order's package confirmed shipped with its carrier
and tracking number, which moves the order to PartiallyShipped or Shipped in the order book (from then
on the order takes only such explicit steps); the packages, with the units of each item, are kept in
``packages``.
"""

from __future__ import annotations

from starlette.responses import Response

from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.spapi.order_book import OrderStateError, Status

SHIPPABLE = frozenset({Status.UNSHIPPED, Status.PARTIALLY_SHIPPED})


async def confirm_shipment(call: Call) -> Response:
    seller, book = call.identity.authorising_seller, call.sandbox.orders
    order_id = call.path("orderId")
    header = book.find(seller, order_id)
    if header is None:
        raise not_found(f"Order {order_id} not found.")
    body = call.inputs.body
    package = body["packageDetail"]
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
            f"Order {order_id} is {header.status}: only Unshipped or PartiallyShipped orders can be confirmed.",
        )
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
    status = Status.SHIPPED if done else Status.PARTIALLY_SHIPPED
    if status is not header.status:
        try:
            book.change_status(seller, order_id, status)
        except OrderStateError as exc:  # the order moved on since it was read (cancelled, say)
            raise invalid_input(INPUT_NOT_VALID, str(exc)) from None
    packages.add(seller.selling_partner_id, order_id, package)
    return Response(status_code=204)


HANDLERS: dict[str, Handler] = {"orders/v0/confirmShipment": confirm_shipment}
