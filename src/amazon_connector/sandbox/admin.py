"""The emulator's own endpoints (not Amazon's), under ``/_sandbox``.

``/_sandbox/clock`` is for everyone (clients follow the emulator's clock); the others hand out
credentials or change the world's state and answer only loopback clients (404 for others).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from amazon_connector.sandbox.aws.queues import queue_name, queue_url
from amazon_connector.sandbox.context import own_url, sandbox_of
from amazon_connector.sandbox.headers import clock_state
from amazon_connector.sandbox.lwa.client_secrets import iso
from amazon_connector.sandbox.spapi.catalog_items import ground_truth
from amazon_connector.sandbox.spapi.order_book import OrderStateError, View, truth
from amazon_connector.serving import is_loopback

PREFIX = "/_sandbox"


def _loopback_only(request: Request) -> None:
    if request.client is None or not is_loopback(request.client.host):
        raise HTTPException(404)


def with_queue_urls(credentials: list[dict[str, Any]], base_url: str) -> list[dict[str, Any]]:
    """The world's credentials, each enrolled app with the URL of its notification queue."""
    return [
        {
            **app,
            "notification_queue_url": queue_url(base_url, queue_name(app["client_id"]))
            if app["rotation_notifications"]
            else None,
        }
        for app in credentials
    ]


async def credentials(request: Request) -> JSONResponse:
    """The world's apps, credentials, sellers and self-authorised refresh tokens."""
    _loopback_only(request)
    return JSONResponse(with_queue_urls(sandbox_of(request).world.credentials(), own_url(request.scope)))


async def stats(request: Request) -> JSONResponse:
    """SP-API requests by operation and outcome, 429s, how many records were created and documents are
    being written (GET); start counting requests afresh, records staying (DELETE)."""
    _loopback_only(request)
    sandbox = sandbox_of(request)
    if request.method == "DELETE":
        sandbox.stats.reset()
        return JSONResponse({})
    return JSONResponse(
        {
            "requests": sandbox.stats.snapshot(),
            "throttled": sandbox.stats.throttled,
            "records": sandbox.records(),
            "documents_being_written": sandbox.documents.being_written,
        }
    )


async def clock(request: Request) -> JSONResponse:
    """The emulator's clock: its time scale (``null`` for a clock that moves only when a test says so)
    and its current time."""
    return JSONResponse(clock_state(sandbox_of(request).clock))


class ExpiryNotice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clientSecretExpiryTime: datetime | None = None


async def secret_expiry(request: Request) -> JSONResponse:
    """Send APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY for an app (optional JSON body:
    ``{"clientSecretExpiryTime": …}``)."""
    _loopback_only(request)
    sandbox = sandbox_of(request)
    client_id = request.path_params["client_id"]
    app = sandbox.world.app_for_client(client_id)
    if app is None:
        raise HTTPException(404)
    raw = await request.body()
    try:
        notice = ExpiryNotice.model_validate_json(raw) if raw.strip() else ExpiryNotice()
    except ValidationError as exc:
        raise HTTPException(400, f"The body is not an expiry notice: {exc.errors()[0]['msg']}.") from None
    announced = sandbox.client_secrets.announce_expiry(app, notice.clientSecretExpiryTime)
    return JSONResponse({"clientId": client_id, "clientSecretExpiryTime": iso(announced)})


async def listings(request: Request) -> JSONResponse:
    """A seller's listings as they are now (feeds that have finished applied): SKU, product type, ASIN,
    attributes and issues, and per marketplace its price and status; ``?sku=`` (repeatable) picks some."""
    _loopback_only(request)
    sandbox = sandbox_of(request)
    seller = sandbox.world.seller(request.path_params["selling_partner_id"])
    if seller is None:
        raise HTTPException(404)
    sandbox.feeds.settle_due()
    wanted = set(request.query_params.getlist("sku"))
    found = [
        {
            "sku": listing.sku,
            "productType": listing.product_type,
            "asin": listing.asin,
            "channel": listing.channel,
            "quantity": listing.quantity,
            "prices": {
                m.marketplace_id: str(price)
                for m in seller.marketplaces()
                if (price := listing.price(m.marketplace_id)) is not None
            },
            "attributes": listing.attributes,
            "issues": [i.as_api() for i in listing.issues],
            "lastUpdatedDate": iso(listing.updated),
        }
        for listing in sandbox.listings.listings(seller)
        if not wanted or listing.sku in wanted
    ]
    return JSONResponse(found)


async def catalog(request: Request) -> JSONResponse:
    """The catalogue as it is now: every item with every data set and the seller whose listing it is;
    ``?asin=`` (repeatable) picks some, ``?marketplace=ID`` shows one marketplace."""
    _loopback_only(request)
    wanted = request.query_params.getlist("asin")
    marketplace = request.query_params.get("marketplace")
    return JSONResponse(ground_truth(sandbox_of(request), wanted, marketplace))


async def orders(request: Request) -> JSONResponse:
    """The ground truth of a seller's orders in one marketplace (``?seller=ID&marketplace=ID``): every
    order with its items and buyer, as searches see them now (``view=search``, the default) or as they
    are (``view=now``), each order's life (its steps, those to come included), and the shipment
    statuses the seller reported (updateShipmentStatus), oldest first."""
    _loopback_only(request)
    sandbox = sandbox_of(request)
    seller = sandbox.world.seller(request.query_params.get("seller", ""))
    try:
        view = View(request.query_params.get("view", View.SEARCH))
    except ValueError:
        raise HTTPException(400, "view is search or now.") from None
    if seller is None:
        raise HTTPException(404, "No such seller (give ?seller=<selling partner ID>).")
    marketplace = request.query_params.get("marketplace", "")
    headers = sandbox.orders.orders(seller, marketplace, view)
    book, packages = sandbox.orders, sandbox.packages
    return JSONResponse(
        [
            truth(book.details(seller, h), book.steps(seller, h.order_id))
            | {"shipment_statuses": packages.statuses(seller.selling_partner_id, h.order_id)}
            for h in headers
        ]
    )


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seller: str
    status: str


async def order_status(request: Request) -> JSONResponse:
    """Move an order to a new status now (JSON ``{"seller": ID, "status": "Shipped"}``), as a seller's
    action or Amazon would; 409 when the order cannot take that step."""
    _loopback_only(request)
    sandbox = sandbox_of(request)
    try:
        change = StatusChange.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPException(400, f"The body is not a status change: {exc.errors()[0]['msg']}.") from None
    seller = sandbox.world.seller(change.seller)
    if seller is None:
        raise HTTPException(404, "No such seller.")
    try:
        header = sandbox.orders.change_status(seller, request.path_params["order_id"], change.status)
    except OrderStateError as exc:
        raise HTTPException(409, str(exc)) from None
    return JSONResponse(truth(sandbox.orders.details(seller, header)))


class Cut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(ge=0)
    times: int = Field(default=1, ge=1)


async def cut_document(request: Request) -> JSONResponse:
    """Make the next downloads of a document stop after some bytes, the connection dropped (JSON body
    ``{"after": bytes, "times": 1}``): a network failing midway."""
    _loopback_only(request)
    documents = sandbox_of(request).documents
    document = documents.find(request.path_params["document_id"])
    if document is None:
        raise HTTPException(404)
    try:
        cut = Cut.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPException(400, f"The body is not a cut: {exc.errors()[0]['msg']}.") from None
    documents.cut(document, cut.after, cut.times)
    return JSONResponse({"documentId": document.document_id, "after": cut.after, "times": cut.times})


ROUTES = [
    Route(PREFIX + "/credentials", credentials, methods=["GET"]),
    Route(PREFIX + "/stats", stats, methods=["GET", "DELETE"]),
    Route(PREFIX + "/clock", clock, methods=["GET"]),
    Route(PREFIX + "/listings/{selling_partner_id}", listings, methods=["GET"]),
    Route(PREFIX + "/applications/{client_id}/secret-expiry", secret_expiry, methods=["POST"]),
    Route(PREFIX + "/catalog", catalog, methods=["GET"]),
    Route(PREFIX + "/orders", orders, methods=["GET"]),
    Route(PREFIX + "/orders/{order_id}/status", order_status, methods=["POST"]),
    Route(PREFIX + "/documents/{document_id}/cut", cut_document, methods=["POST"]),
]
