"""Typed shapes of Amazon's requests and responses, written from the field names of Amazon's models.

Response models allow extra fields, so a client keeps working when Amazon adds some. The emulator
builds its answers through the same models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DATA_ELEMENTS = ("buyerInfo", "shippingAddress", "buyerTaxInformation")
"""The documented values of ``RestrictedResource.dataElements``."""


class AmazonResponse(BaseModel):
    """Base of every response shape: unknown fields are kept, not refused."""

    model_config = ConfigDict(extra="allow")


# --- errors (every SP-API model) ------------------------------------------------------------


class Error(AmazonResponse):
    """One error of an unsuccessful SP-API request."""

    code: str
    message: str
    details: str | None = None


class ErrorList(AmazonResponse):
    """The body of an SP-API error response."""

    errors: list[Error]


# --- Sellers API v1 -------------------------------------------------------------------------


class Marketplace(AmazonResponse):
    """An Amazon marketplace where a seller can list items."""

    id: str
    name: str
    countryCode: str = Field(pattern=r"^([A-Z]{2})$")
    defaultCurrencyCode: str
    defaultLanguageCode: str
    domainName: str


class Participation(AmazonResponse):
    """The seller's standing in one marketplace."""

    isParticipating: bool
    hasSuspendedListings: bool


class MarketplaceParticipation(AmazonResponse):
    marketplace: Marketplace
    participation: Participation
    storeName: str


class GetMarketplaceParticipationsResponse(AmazonResponse):
    """getMarketplaceParticipations: the list is in ``payload`` (or ``errors``)."""

    payload: list[MarketplaceParticipation] | None = None
    errors: list[Error] | None = None


# --- Tokens API 2021-03-01 ------------------------------------------------------------------


class RestrictedResource(BaseModel):
    """A restricted operation's method and path (generic ``{orderId}`` or concrete), and the PII wanted."""

    method: Literal["GET", "PUT", "POST", "DELETE"]
    path: str
    dataElements: list[str] | None = None


class CreateRestrictedDataTokenRequest(BaseModel):
    """The createRestrictedDataToken body."""

    targetApplication: str | None = None
    restrictedResources: list[RestrictedResource] = Field(min_length=1, max_length=50)


class CreateRestrictedDataTokenResponse(AmazonResponse):
    """createRestrictedDataToken: a top-level object (no ``payload`` envelope)."""

    restrictedDataToken: str | None = None
    expiresIn: int | None = None


# --- Login with Amazon ----------------------------------------------------------------------


class TokenResponse(AmazonResponse):
    """A successful answer of the LWA token endpoint."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a token type, not a password)
    expires_in: int | None = None
    refresh_token: str | None = None
    scope: str | None = None


class LwaErrorResponse(AmazonResponse):
    """A refused LWA token request."""

    error: str
    error_description: str | None = None


# --- Orders API v0 (every answer in a ``payload`` envelope) -----------------------------------


class Money(AmazonResponse):
    CurrencyCode: str | None = None
    Amount: str | None = None


class Address(AmazonResponse):
    """A shipping address; name, street lines and phone are buyer PII (RDT with ``shippingAddress``)."""

    Name: str | None = None
    AddressLine1: str | None = None
    AddressLine2: str | None = None
    City: str | None = None
    StateOrRegion: str | None = None
    PostalCode: str | None = None
    CountryCode: str | None = None
    Phone: str | None = None
    AddressType: Literal["Residential", "Commercial"] | None = None


class OrderBuyerDetails(AmazonResponse):
    """An order's ``BuyerInfo``: buyer PII (RDT with ``buyerInfo``)."""

    BuyerEmail: str | None = None
    BuyerName: str | None = None
    PurchaseOrderNumber: str | None = None


class Order(AmazonResponse):
    AmazonOrderId: str
    PurchaseDate: str
    LastUpdateDate: str
    OrderStatus: str
    FulfillmentChannel: Literal["MFN", "AFN"] | None = None
    SalesChannel: str | None = None
    ShipServiceLevel: str | None = None
    OrderTotal: Money | None = None
    NumberOfItemsShipped: int | None = None
    NumberOfItemsUnshipped: int | None = None
    PaymentMethod: str | None = None
    MarketplaceId: str | None = None
    ShipmentServiceLevelCategory: str | None = None
    OrderType: str | None = None
    EarliestShipDate: str | None = None
    LatestShipDate: str | None = None
    IsBusinessOrder: bool | None = None
    IsPrime: bool | None = None
    IsPremiumOrder: bool | None = None
    IsGlobalExpressEnabled: bool | None = None
    IsReplacementOrder: bool | None = None
    IsSoldByAB: bool | None = None
    IsISPU: bool | None = None
    IsAccessPointOrder: bool | None = None
    ShippingAddress: Address | None = None
    BuyerInfo: OrderBuyerDetails | None = None


class OrdersList(AmazonResponse):
    Orders: list[Order]
    NextToken: str | None = None
    LastUpdatedBefore: str | None = None
    CreatedBefore: str | None = None


class GetOrdersResponse(AmazonResponse):
    payload: OrdersList | None = None
    errors: list[Error] | None = None


class GetOrderResponse(AmazonResponse):
    payload: Order | None = None
    errors: list[Error] | None = None


class ItemBuyerInfo(AmazonResponse):
    """Item-level buyer information: gift wrap and gift message (RDT with ``buyerInfo``)."""

    GiftWrapPrice: Money | None = None
    GiftMessageText: str | None = None
    GiftWrapLevel: str | None = None


class OrderItem(AmazonResponse):
    ASIN: str
    OrderItemId: str
    QuantityOrdered: int
    SellerSKU: str | None = None
    Title: str | None = None
    QuantityShipped: int | None = None
    ItemPrice: Money | None = None
    ItemTax: Money | None = None
    ShippingPrice: Money | None = None
    IsGift: str | None = None
    ConditionId: str | None = None
    BuyerInfo: ItemBuyerInfo | None = None


class OrderItemsList(AmazonResponse):
    OrderItems: list[OrderItem]
    AmazonOrderId: str
    NextToken: str | None = None


class GetOrderItemsResponse(AmazonResponse):
    payload: OrderItemsList | None = None
    errors: list[Error] | None = None


class OrderAddress(AmazonResponse):
    AmazonOrderId: str
    ShippingAddress: Address | None = None


class GetOrderAddressResponse(AmazonResponse):
    payload: OrderAddress | None = None
    errors: list[Error] | None = None


class OrderBuyerInfo(AmazonResponse):
    AmazonOrderId: str
    BuyerEmail: str | None = None
    BuyerName: str | None = None
    PurchaseOrderNumber: str | None = None


class GetOrderBuyerInfoResponse(AmazonResponse):
    payload: OrderBuyerInfo | None = None
    errors: list[Error] | None = None


class OrderItemBuyerInfo(ItemBuyerInfo):
    OrderItemId: str


class OrderItemsBuyerInfoList(AmazonResponse):
    OrderItems: list[OrderItemBuyerInfo]
    AmazonOrderId: str
    NextToken: str | None = None


class GetOrderItemsBuyerInfoResponse(AmazonResponse):
    payload: OrderItemsBuyerInfoList | None = None
    errors: list[Error] | None = None


# --- Reports API 2021-06-30 and Feeds API 2021-06-30 (top-level objects) ----------------------

ProcessingStatus = Literal["IN_QUEUE", "IN_PROGRESS", "DONE", "CANCELLED", "FATAL"]


class CreateReportSpecification(BaseModel):
    reportType: str = Field(min_length=1)
    marketplaceIds: list[str] = Field(min_length=1, max_length=25)
    dataStartTime: str | None = None
    dataEndTime: str | None = None
    reportOptions: dict[str, str] | None = None


class CreateReportResponse(AmazonResponse):
    reportId: str


class Report(AmazonResponse):
    reportId: str
    reportType: str
    createdTime: str
    processingStatus: ProcessingStatus
    marketplaceIds: list[str] | None = None
    dataStartTime: str | None = None
    dataEndTime: str | None = None
    reportScheduleId: str | None = None
    processingStartTime: str | None = None
    processingEndTime: str | None = None
    reportDocumentId: str | None = None


class GetReportsResponse(AmazonResponse):
    reports: list[Report]
    nextToken: str | None = None


class ReportDocument(AmazonResponse):
    """Where to download a report: a presigned URL that expires after 5 minutes."""

    reportDocumentId: str
    url: str
    compressionAlgorithm: Literal["GZIP"] | None = None


class CreateFeedDocumentSpecification(BaseModel):
    contentType: str = Field(min_length=1)


class CreateFeedDocumentResponse(AmazonResponse):
    """Where to upload a feed: a presigned PUT URL that expires after 5 minutes."""

    feedDocumentId: str
    url: str


class CreateFeedSpecification(BaseModel):
    feedType: str = Field(min_length=1)
    marketplaceIds: list[str] = Field(min_length=1, max_length=25)
    inputFeedDocumentId: str = Field(min_length=1)
    feedOptions: dict[str, str] | None = None


class CreateFeedResponse(AmazonResponse):
    feedId: str


class Feed(AmazonResponse):
    feedId: str
    feedType: str
    createdTime: str
    processingStatus: ProcessingStatus
    marketplaceIds: list[str] | None = None
    processingStartTime: str | None = None
    processingEndTime: str | None = None
    resultFeedDocumentId: str | None = None


# --- Notifications API v1: destinations (grantless) ----------------------------------------


class SqsResource(BaseModel):
    arn: str = Field(max_length=1000, pattern=r"^arn:aws:sqs:\S+:\S+:\S+")


class EventBridgeResourceSpecification(BaseModel):
    region: str = Field(min_length=1)
    accountId: str = Field(min_length=1)


class DestinationResourceSpecification(BaseModel):
    sqs: SqsResource | None = None
    eventBridge: EventBridgeResourceSpecification | None = None


class CreateDestinationRequest(BaseModel):
    name: str = Field(min_length=1, max_length=256)
    resourceSpecification: DestinationResourceSpecification


class EventBridgeResource(AmazonResponse):
    name: str
    region: str
    accountId: str


class DestinationResource(AmazonResponse):
    sqs: SqsResource | None = None
    eventBridge: EventBridgeResource | None = None


class Destination(AmazonResponse):
    name: str
    destinationId: str
    resource: DestinationResource


class GetDestinationsResponse(AmazonResponse):
    payload: list[Destination] | None = None
    errors: list[Error] | None = None


class DestinationResponse(AmazonResponse):
    """createDestination and getDestination."""

    payload: Destination | None = None
    errors: list[Error] | None = None
