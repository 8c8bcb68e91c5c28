"""Steps against the emulator over real HTTP: price and quantity patches from CSV, confirmShipment from an
SQL query with shaped order lines, getCatalogItem for a list of ASINs, createReport without a source;
OutputData and ErrorData compared record by record with what the emulator holds."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from amazon_connector.data import read_records
from amazon_connector.data.results import ERRORS
from amazon_connector.data.step import OUTPUT, load_step, run_step
from amazon_connector.marketplaces import get_marketplace

UK = get_marketplace("UK").marketplace_id
PATCH = "listings-items/2021-08-01/patchListingsItem"
GET_ITEM = "catalog-items/2022-04-01/getCatalogItem"


def listings(emulator, seller) -> dict[str, dict[str, Any]]:
    found = httpx.get(f"{emulator.url}/_sandbox/listings/{seller['selling_partner_id']}").json()
    return {f["sku"]: f for f in found}


def merchant_skus(emulator, seller, count: int) -> list[str]:
    return [
        sku
        for sku, f in listings(emulator, seller).items()
        if f["channel"] == "DEFAULT"
        and "minimum_seller_allowed_price" not in f["attributes"]["purchasable_offer"][0]
    ][:count]


PRICES_STEP = """
name = "prices and stock"
connection = "${CONNECTION}"
operation = "patchListingsItem"

[source]
path = "prices.csv"

[mapping]
references = ["mode", "row"]

[mapping.fields]
sellerId = { variable = "SELLER" }
marketplaceIds = { column = "marketplace", transform = ["trim", "upper"] }
"body.productType" = { column = "product_type" }
"body.patches[0].op" = "merge"
"body.patches[0].path" = "/attributes/purchasable_offer"
"body.patches[0].value[0].marketplace_id" = { column = "marketplace", transform = ["trim", "upper"] }
"body.patches[0].value[0].currency" = "GBP"
"body.patches[0].value[0].our_price[0].schedule[0].value_with_tax" = { column = "price", transform = { decimal = 2 } }
"body.patches[1].op" = "merge"
"body.patches[1].path" = "/attributes/fulfillment_availability"
"body.patches[1].value[0].fulfillment_channel_code" = "DEFAULT"
"body.patches[1].value[0].quantity" = { column = "quantity", transform = "number" }
"""


def prices_file(tmp_path: Path, emulator, seller, count: int = 4, bad_line: int | None = 4) -> list[str]:
    skus = merchant_skus(emulator, seller, count)
    held = listings(emulator, seller)
    rows = ["sku,product_type,marketplace,price,quantity,mode,row"]
    for n, sku in enumerate(skus):
        marketplace = "A00BADMARKET" if n + 2 == bad_line else UK.lower()
        rows.append(
            f"{sku},{held[sku]['productType']}, {marketplace} ,{n + 10}.5,{n + 20},VALIDATION_PREVIEW,STEP-REF-{n}"
        )
    (tmp_path / "prices.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "prices.toml").write_text(PRICES_STEP)
    return skus


def test_price_and_quantity_patches_from_csv(emulator, seller, connections, tmp_path):
    skus = prices_file(tmp_path, emulator, seller)
    step = load_step(tmp_path / "prices.toml")
    seen: list[tuple[int, int | None, int, int]] = []
    result = run_step(
        step,
        connections,
        variables={"SELLER": seller["selling_partner_id"], "CONNECTION": "uk"},
        progress=lambda *p: seen.append(p),
    )
    assert (result.records, result.answered, result.failed, result.exit_status) == (4, 3, 1, 3)
    assert seen[-1] == (4, 4, 3, 1)
    assert result.output == str(tmp_path / "prices.output.jsonl")
    held = listings(emulator, seller)
    output = list(read_records(result.output, OUTPUT))
    assert [r["line"] for r in output] == [2, 3, 5]
    for record, n in zip(output, (0, 1, 3), strict=True):
        sku = skus[n]
        assert record["answer"]["sku"] == sku
        assert record["answer"]["status"] == "ACCEPTED"
        assert record["keys"] == {"sku": sku, "marketplaceIds": [UK]}
        assert record["references"] == {"mode": "VALIDATION_PREVIEW", "row": f"STEP-REF-{n}"}
        # the reference named like a parameter (mode) was never sent: the patches were applied, not previewed
        assert Decimal(held[sku]["prices"][UK]) == Decimal(f"{n + 10}.5")
        assert held[sku]["quantity"] == n + 20
    assert "STEP-REF" not in json.dumps(held)
    errors = list(read_records(result.errors, ERRORS))
    assert [(e["line"], e["object"], e["code"]) for e in errors] == [(4, "patchListingsItem", "InvalidInput")]
    assert "A00BADMARKET" in errors[0]["message"]
    assert errors[0]["request_id"]
    assert errors[0]["input"]["references"] == {"mode": "VALIDATION_PREVIEW", "row": "STEP-REF-2"}
    assert errors[0]["input"]["mapped"]["sku"] == skus[2]
    assert held[skus[2]]["quantity"] != 22
    assert sum(emulator.sandbox.stats.snapshot()[PATCH].values()) == 4

    files = Path(result.output).read_bytes(), Path(result.errors).read_bytes()
    variables = {"SELLER": seller["selling_partner_id"], "CONNECTION": "uk"}
    rerun = run_step(step, connections, variables=variables)  # the same input: sent already
    assert (rerun.answered, rerun.failed, rerun.resumed_skipped, rerun.exit_status) == (3, 1, 4, 3)
    assert sum(emulator.sandbox.stats.snapshot()[PATCH].values()) == 4
    assert (Path(rerun.output).read_bytes(), Path(rerun.errors).read_bytes()) == files
    assert len(rerun.notes) == 1
    assert "This input was sent already: run 1, begun at " in rerun.notes[0]
    assert "use --again" in rerun.notes[0]
    assert rerun.sent_already
    assert not result.sent_already

    again = run_step(step, connections, variables=variables, again=True)
    assert (again.answered, again.failed, again.resumed_skipped, again.notes) == (3, 1, 0, ())
    assert not again.sent_already
    assert sum(emulator.sandbox.stats.snapshot()[PATCH].values()) == 8


def test_a_2xx_answer_that_refuses_the_record_lands_in_error_data(emulator, seller, connections, tmp_path):
    skus = merchant_skus(emulator, seller, 2)
    held = listings(emulator, seller)
    rows = ["sku,product_type,marketplace,price,quantity,mode,row"]
    rows += [f"{sku},{held[sku]['productType']},{UK},12.5,7,x,R{n}" for n, sku in enumerate(skus)]
    rows.insert(2, f"NO-SUCH-SKU,{held[skus[0]]['productType']},{UK},12.5,7,x,R9")  # line 3
    (tmp_path / "prices.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "prices.toml").write_text(PRICES_STEP)
    variables = {"SELLER": seller["selling_partner_id"], "CONNECTION": "uk"}
    result = run_step(load_step(tmp_path / "prices.toml"), connections, variables=variables)
    assert (result.records, result.answered, result.failed) == (3, 2, 1)
    assert [r["keys"]["sku"] for r in read_records(result.output, OUTPUT)] == skus
    (error,) = read_records(result.errors, ERRORS)
    assert (error["line"], error["object"], error["code"]) == (3, "patchListingsItem", "99404")
    assert "NO-SUCH-SKU" in error["message"]
    assert error["request_id"]
    assert error["input"]["references"] == {"mode": "x", "row": "R9"}
    assert "NO-SUCH-SKU" not in listings(emulator, seller)
    assert all(listings(emulator, seller)[sku]["quantity"] == 7 for sku in skus)  # the others unaffected


SHIP_STEP = """
name: ship
connection: uk
operation: confirmShipment
source:
  path: sqlite:///DATABASE
  query: SELECT * FROM lines ORDER BY order_id, item_id
  shape:
    key: [order_id]
    children:
      items: {columns: [item_id, qty]}
mapping:
  references: [note]
  fields:
    orderId: {column: order_id}
    body.marketplaceId: UKID
    body.packageDetail.packageReferenceId: "1"
    body.packageDetail.carrierCode: {column: carrier}
    body.packageDetail.trackingNumber: {column: tracking}
    body.packageDetail.shipDate: {column: shipped, transform: {date: "%Y-%m-%d %H:%M"}}
    body.packageDetail.orderItems:
      each: items
      fields:
        orderItemId: {column: item_id}
        quantity: {column: qty}
"""


def test_confirm_shipment_from_an_sql_query_with_order_lines(emulator, seller, connections, tmp_path):
    found = emulator.world.seller(seller["selling_partner_id"])
    book = emulator.sandbox.orders
    waiting = [
        h for h in book.orders(found, UK) if h.fulfillment_channel == "MFN" and h.status == "Unshipped"
    ][:3]
    afn = next(
        h for h in book.orders(found, UK) if h.fulfillment_channel == "AFN" and h.status == "Unshipped"
    )
    database = tmp_path / "erp.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE lines (order_id, carrier, tracking, shipped, item_id, qty, note)")
        for n, header in enumerate([*waiting, afn]):
            for item in book.details(found, header).items:
                db.execute(
                    "INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        header.order_id,
                        "UPS",
                        f"1Z{n}",
                        "2030-01-02 10:00",
                        item.order_item_id,
                        item.quantity,
                        f"N{n}",
                    ),
                )
    (tmp_path / "ship.yaml").write_text(SHIP_STEP.replace("DATABASE", str(database)).replace("UKID", UK))
    result = run_step(load_step(tmp_path / "ship.yaml"), connections)
    assert (result.records, result.answered, result.failed) == (4, 3, 1)
    output = list(read_records(result.output, OUTPUT))
    assert {r["keys"]["orderId"] for r in output} == {h.order_id for h in waiting}
    assert all(r["status"] == 204 and r["answer"] is None for r in output)
    for header in waiting:
        assert book.find(found, header.order_id).status == "Shipped"
        shipped = emulator.sandbox.packages.shipped(seller["selling_partner_id"], header.order_id)
        assert shipped == {i.order_item_id: i.quantity for i in book.details(found, header).items}
    (error,) = read_records(result.errors, ERRORS)
    assert error["code"] == "InvalidInput"
    assert "fulfilled by Amazon" in error["message"]
    assert error["input"]["mapped"]["orderId"] == afn.order_id
    assert error["input"]["references"] == {"note": "N3"}


def test_get_catalog_item_for_a_list_of_asins(emulator, seller, connections, tmp_path):
    held = httpx.get(f"{emulator.url}/_sandbox/catalog", params={"marketplace": UK}).json()
    truth = {i["asin"]: i for i in held}
    asins = sorted({f["asin"] for f in listings(emulator, seller).values()})[:3]
    asked = [asins[0], "B000000000", *asins[1:]]  # line 3: an ASIN the catalogue does not hold
    (tmp_path / "asins.jsonl").write_text(
        "".join(json.dumps({"asin": a, "ref": i}) + "\n" for i, a in enumerate(asked))
    )
    (tmp_path / "catalog.toml").write_text(
        'name = "catalog"\nconnection = "uk"\noperation = "getCatalogItem"\n'
        '[source]\npath = "asins.jsonl"\n[mapping]\nreferences = ["ref"]\n'
        '[mapping.fields]\nincludedData = "summaries,identifiers"\n'
        '[options]\noutput = "catalog.csv"\n'
    )
    result = run_step(load_step(tmp_path / "catalog.toml"), connections)
    assert (result.answered, result.failed) == (3, 1)
    assert result.output == str(tmp_path / "catalog.csv")
    output = list(read_records(result.output, OUTPUT))
    assert [r["line"] for r in output] == [1, 3, 4]
    for record, asin, ref in zip(output, asins, (0, 2, 3), strict=True):
        assert record["keys"] == {"asin": asin}
        assert record["references"] == {"ref": ref}
        assert record["status"] == 200
        assert record["request_id"]
        item = truth[asin]
        assert record["answer"] == {
            "asin": asin,
            "summaries": item["summaries"],
            "identifiers": item["identifiers"],
        }
    (error,) = read_records(result.errors, ERRORS)
    assert (error["line"], error["object"], error["code"]) == (2, "getCatalogItem", "NOT_FOUND")
    assert "Requested item 'B000000000' not found" in error["message"]
    assert error["request_id"]
    assert error["input"] == {
        "mapped": {"asin": "B000000000", "includedData": ["summaries", "identifiers"]},
        "references": {"ref": 1},
    }
    calls = answered_calls(emulator)
    rerun = run_step(load_step(tmp_path / "catalog.toml"), connections)  # reads run again
    assert (rerun.answered, rerun.failed, rerun.resumed_skipped, rerun.notes) == (3, 1, 0, ())
    assert answered_calls(emulator) == calls + 4


def answered_calls(emulator) -> int:
    """getCatalogItem's answers but 429s: at 100 times Amazon's pace a loaded machine's pauses of a few ms
    bunch paced calls of a 2-per-second plan (the runtime then waits and retries; at Amazon's pace, no)."""
    return sum(n for status, n in emulator.sandbox.stats.snapshot()[GET_ITEM].items() if status != "429")


def test_xml_outputs_are_valid_against_their_xsds(emulator, seller, connections, tmp_path):
    asin = sorted(f["asin"] for f in listings(emulator, seller).values())[0]
    (tmp_path / "asins.jsonl").write_text(
        f'{{"asin": "{asin}", "ref": "a&<b>"}}\n{{"asin": "B000000000", "ref": 2}}\n'
    )
    (tmp_path / "catalog.toml").write_text(
        'name = "catalog"\nconnection = "uk"\noperation = "getCatalogItem"\n'
        '[source]\npath = "asins.jsonl"\n[mapping]\nreferences = ["ref"]\n'
    )
    output, errors = tmp_path / "out.xml", tmp_path / "errs.xml"
    result = run_step(
        load_step(tmp_path / "catalog.toml"), connections, output=str(output), errors=str(errors)
    )
    assert (result.answered, result.failed) == (1, 1)
    for document, rows in ((output, "Output"), (errors, "Error")):
        schema = etree.XMLSchema(etree.parse(str(document.with_suffix(".xsd"))))
        parsed = etree.parse(str(document))
        schema.assertValid(parsed)
        assert [e.tag for e in parsed.getroot()] == [rows]
    (answered,) = read_records(str(output), OUTPUT)
    assert answered["references"] == {"ref": "a&<b>"}
    assert answered["answer"]["asin"] == asin
    (error,) = read_records(str(errors), ERRORS)
    assert (error["code"], error["line"]) == ("NOT_FOUND", 2)


def test_create_report_without_a_source(emulator, seller, connections, tmp_path):
    (tmp_path / "report.toml").write_text(
        'name = "report"\nconnection = "uk"\noperation = "createReport"\n'
        '[mapping.fields]\n"body.reportType" = "${REPORT}"\n"body.marketplaceIds" = ["' + UK + '"]\n'
        '"body.dataStartTime" = { variable = "SINCE", transform = { date = "%d/%m/%Y" } }\n'
    )
    result = run_step(
        load_step(tmp_path / "report.toml"),
        connections,
        variables={"REPORT": "GET_MERCHANT_LISTINGS_ALL_DATA", "SINCE": "01/02/2024"},
    )
    assert (result.records, result.answered) == (1, 1)
    (record,) = read_records(result.output, OUTPUT)
    (job,) = emulator.sandbox.reports.all()
    assert record["answer"] == {"reportId": job.job_id}
    assert job.job_type == "GET_MERCHANT_LISTINGS_ALL_DATA"
    assert job.marketplace_ids == [UK]
    assert job.data_start.isoformat().startswith("2024-02-01")
