"""Which operation a request is: paths matched against the catalog's templates (pure logic)."""

from __future__ import annotations

import pytest

from amazon_connector.sandbox.spapi.routes import routes


@pytest.mark.parametrize(
    ("method", "path", "operation", "params"),
    [
        ("GET", "/orders/v0/orders", "orders/v0/getOrders", {}),
        (
            "GET",
            "/orders/v0/orders/123-1234567-1234567",
            "orders/v0/getOrder",
            {"orderId": "123-1234567-1234567"},
        ),
        (
            "get",
            "/orders/v0/orders/1/orderItems/buyerInfo",
            "orders/v0/getOrderItemsBuyerInfo",
            {"orderId": "1"},
        ),
        # a literal segment wins over a parameter in the same place
        ("GET", "/reports/2021-06-30/reports/42", "reports/2021-06-30/getReport", {"reportId": "42"}),
        (
            "GET",
            "/reports/2021-06-30/documents/D1",
            "reports/2021-06-30/getReportDocument",
            {"reportDocumentId": "D1"},
        ),
        # an encoded slash stays inside its segment, and is decoded
        (
            "GET",
            "/listings/2021-08-01/items/A1/SKU%2F1",
            "listings-items/2021-08-01/getListingsItem",
            {"sellerId": "A1", "sku": "SKU/1"},
        ),
        # the Uploads API's greedy parameter takes the rest of the path
        (
            "POST",
            "/uploads/2020-11-01/uploadDestinations/aplus/2020-11-01/contentDocuments",
            "uploads/2020-11-01/createUploadDestinationForResource",
            {"resource": "aplus/2020-11-01/contentDocuments"},
        ),
        # an empty path parameter is still that operation's (its check refuses it by name)
        ("GET", "/orders/v0/orders/", "orders/v0/getOrder", {"orderId": ""}),
    ],
)
def test_requests_are_matched_to_their_operation(method, path, operation, params):
    found = routes().match(method, path)
    assert found is not None
    assert (found[0].qualified_name, found[1]) == (operation, params)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nothing/here"), ("DELETE", "/orders/v0/orders"), ("GET", "/")]
)
def test_unknown_paths_and_methods_match_nothing(method, path):
    assert routes().match(method, path) is None
