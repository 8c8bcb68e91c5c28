"""A 2xx answer that refuses what was sent, read by the catalog's ``refusal`` rule of the operation."""

from amazon_connector.api.catalog import catalog
from amazon_connector.data.calls import answer_issues
from amazon_connector.data.results import Issue


def test_the_catalog_names_the_operations_whose_2xx_answer_can_refuse():
    refusing = {op.qualified_name for op in catalog().operations if op.refusal is not None}
    assert refusing == {
        f"listings-items/{version}/{name}"
        for version in ("2020-09-01", "2021-08-01")
        for name in ("putListingsItem", "patchListingsItem", "deleteListingsItem")
    } | {"product-fees/v0/getMyFeesEstimateForSKU", "product-fees/v0/getMyFeesEstimateForASIN"}
    assert catalog().get("getOrders").refusal is None


def test_a_listings_submission_invalid_or_accepted_with_warnings():
    patch = catalog().get("patchListingsItem")
    error = {
        "code": "99300",
        "message": "Below the minimum.",
        "severity": "ERROR",
        "attributeNames": ["a", "b"],
    }
    warning = {"code": "18156", "message": "No stock.", "severity": "WARNING"}
    invalid = {"sku": "S", "status": "INVALID", "submissionId": "1", "issues": [error, warning]}
    assert answer_issues(patch, invalid) == (
        Issue("99300", "Below the minimum.", "ERROR", "a, b"),
        Issue("18156", "No stock.", "WARNING"),
    )
    accepted = {"sku": "S", "status": "ACCEPTED", "submissionId": "1", "issues": [warning]}
    assert answer_issues(patch, accepted) == (Issue("18156", "No stock.", "WARNING"),)
    silent = {"sku": "S", "status": "INVALID", "submissionId": "1", "issues": [warning]}
    assert answer_issues(patch, silent)[-1] == Issue(
        "INVALID", "Amazon answered INVALID without naming an issue."
    )


def test_a_fee_estimate_with_a_client_error():
    fees = catalog().get("getMyFeesEstimateForSKU")
    failed = {
        "payload": {
            "FeesEstimateResult": {
                "Status": "ClientError",
                "Error": {
                    "Type": "Sender",
                    "Code": "InvalidParameterValue",
                    "Message": "Bad price.",
                    "Detail": [],
                },
            }
        }
    }
    assert answer_issues(fees, failed) == (Issue("InvalidParameterValue", "Bad price.", "ERROR"),)
    assert answer_issues(fees, {"payload": {"FeesEstimateResult": {"Status": "Success"}}}) == ()
    assert answer_issues(catalog().get("getOrders"), {"status": "INVALID"}) == ()
