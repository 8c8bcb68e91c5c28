"""Order status up (confirmShipment from the command line and from files, each package once) and FBA
inventory as rows, against the emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from amazon_connector import Connections
from amazon_connector.clock import ScaledClock
from amazon_connector.data import read_records
from amazon_connector.data.inventory import INVENTORY, inventory_rows
from amazon_connector.data.results import ERRORS, Outcome
from amazon_connector.data.shipments import confirm_shipments
from amazon_connector.data.sources import open_source
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.faults import Fault
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import connect_uk_seller

UK = get_marketplace("UK").marketplace_id


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(100)


@pytest.fixture
def emulator(clock) -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(orders_per_marketplace=400), clock=clock) as running:
        yield running


@pytest.fixture
def seller(emulator, home) -> dict[str, Any]:
    """The UK seller, with a connection `uk` to it in the test's store."""
    return connect_uk_seller(emulator, home)


def orders(emulator, seller, channel: str, status: str) -> list[Any]:
    found = emulator.world.seller(seller["selling_partner_id"])
    return [
        h
        for h in emulator.sandbox.orders.orders(found, UK)
        if h.fulfillment_channel == channel and h.status == status
    ]


def status(emulator, seller, order_id: str) -> str:
    found = emulator.world.seller(seller["selling_partner_id"])
    header = emulator.sandbox.orders.find(found, order_id)
    assert header is not None
    return header.status


def confirmations(emulator, operation: str = "confirmShipment") -> int:
    return int(emulator.sandbox.stats.snapshot().get(f"orders/v0/{operation}", {}).get("204", 0))


def shipment_statuses(emulator, seller) -> dict[str, list[dict[str, Any]]]:
    """The shipment statuses of the seller's UK orders, from the emulator's ground truth."""
    truth = httpx.get(
        f"{emulator.url}/_sandbox/orders",
        params={"seller": seller["selling_partner_id"], "marketplace": UK, "view": "now"},
        timeout=60,
    )
    assert truth.status_code == 200, truth.text
    return {t["order_id"]: t["shipment_statuses"] for t in truth.json()}


def test_shipments_from_a_file_are_confirmed_once(emulator, seller, home, clock, tmp_path: Path):
    waiting = orders(emulator, seller, "MFN", "Unshipped")
    afn = orders(emulator, seller, "AFN", "Unshipped")[0]
    shipped = orders(emulator, seller, "MFN", "Shipped")[0]
    path = tmp_path / "shipments.csv"
    path.write_text(
        "order_id,carrier,tracking,method,items,package\n"
        f"{waiting[0].order_id},UPS,1Z999AA10123456784,Ground,,\n"  # 2 every unit
        f"{waiting[1].order_id},Royal Mail,RM1GB,,,\n"  # 3
        f"{afn.order_id},DHL,D1,,,\n"  # 4 fulfilled by Amazon: refused
        f"{shipped.order_id},DHL,D2,,,\n"  # 5 already shipped: nothing left
        "999-0000000-0000000,UPS,X,,,\n"  # 6 unknown order
        f"{waiting[2].order_id},UPS,,,,\n"  # 7 no tracking
        f"{waiting[3].order_id},UPS,T4,,abc:0,\n"  # 8 bad items
        f"{waiting[4].order_id},UPS,T5,,,1\n"  # 9 package 1 twice
        f"{waiting[4].order_id},UPS,T6,,,1\n"  # 10
    )
    with Connections.open(home=home, clock=clock) as connections:
        connection = connections.get("uk")
        report = confirm_shipments(connection, open_source(str(path)))
        outcomes = {
            r.record.line: (r.outcome, r.issues[0].code if r.issues else None) for r in report.results
        }
        assert outcomes == {
            2: (Outcome.ACCEPTED, None),
            3: (Outcome.ACCEPTED, None),
            4: (Outcome.ERROR, "InvalidInput"),
            5: (Outcome.ERROR, "NOTHING_TO_SHIP"),
            6: (Outcome.ERROR, "NotFound"),
            7: (Outcome.ERROR, "MISSING_VALUE"),
            8: (Outcome.ERROR, "INVALID_VALUE"),
            9: (Outcome.ERROR, "DUPLICATE_PACKAGE"),
            10: (Outcome.ERROR, "DUPLICATE_PACKAGE"),
        }
        assert (
            "is fulfilled by Amazon"
            in next(r for r in report.results if r.record.line == 4).issues[0].message
        )
        assert confirmations(emulator) == 2
        assert [status(emulator, seller, o.order_id) for o in waiting[:2]] == ["Shipped", "Shipped"]
        calls = emulator.sandbox.stats.snapshot()
        rerun = confirm_shipments(connection, open_source(str(path)))
        assert rerun.resumed  # the same input, finished: nothing is sent again, the results are kept
        assert emulator.sandbox.stats.snapshot() == calls
        assert sorted(rerun.results, key=lambda r: r.record.line) == sorted(
            report.results, key=lambda r: r.record.line
        )
        again = confirm_shipments(connection, open_source(str(path)), again=True)
        assert not again.resumed
        assert confirmations(emulator) == 2  # nothing left to ship in the two shipped orders
        assert {r.record.line: r.issues[0].code for r in again.results if r.record.line in (2, 3)} == {
            2: "NOTHING_TO_SHIP",
            3: "NOTHING_TO_SHIP",
        }


def test_orders_ship_from_the_command_line(run, emulator, seller, tmp_path: Path):
    first, second = orders(emulator, seller, "MFN", "Unshipped")[:2]
    done = run(
        "orders", "ship", first.order_id, "-c", "uk", "--carrier", "UPS", "--tracking", "1Z999AA10123456784"
    )
    assert f"{first.order_id}: ACCEPTED (order {first.order_id} package 1)" in done.stdout
    assert status(emulator, seller, first.order_id) == "Shipped"
    refused = run(
        "orders", "ship", first.order_id, "-c", "uk", "--carrier", "Other", "--tracking", "X", expect=3
    )
    assert "carrier Other needs a carrier_name" in refused.stdout
    path = tmp_path / "ship.jsonl"
    path.write_text(
        f'{{"order_id": "{second.order_id}", "carrier": "FedEx", "tracking": "F1", "ship_date": "{(second.purchased + timedelta(hours=1)).isoformat()}"}}\n'
        '{"order_id": "999-0000000-0000000", "carrier": "FedEx", "tracking": "F2"}\n'
    )
    bulk = run("orders", "ship", "-c", "uk", "--from", str(path), expect=3)
    assert "2 records: 1 accepted, 0 with warnings, 1 refused." in bulk.stdout
    errors = list(read_records(str(tmp_path / "ship.errors.csv"), ERRORS))
    assert [(e["line"], e["object"], e["code"]) for e in errors] == [(2, "shipments", "NotFound")]
    assert errors[0]["request_id"]
    both = run("orders", "ship", second.order_id, "-c", "uk", "--from", str(path), expect=2)
    assert "give an ORDER or --from FILE" in both.stderr


def test_shipment_statuses_from_a_file_and_the_command_line(run, emulator, seller, tmp_path: Path):
    waiting = orders(emulator, seller, "MFN", "Unshipped")
    afn = orders(emulator, seller, "AFN", "Unshipped")[0]
    found = emulator.world.seller(seller["selling_partner_id"])
    item = emulator.sandbox.orders.details(found, waiting[1]).items[0].order_item_id
    path = tmp_path / "pickup.csv"
    path.write_text(
        "order_id,status,items,carrier\n"
        f"{waiting[0].order_id},ReadyForPickup,,\n"  # 2
        f"{waiting[1].order_id},ReadyForPickup,{item}:1,\n"  # 3 one unit of one item
        f"{afn.order_id},ReadyForPickup,,\n"  # 4 fulfilled by Amazon: refused by Amazon
        f"{waiting[2].order_id},PickedUp,,\n"  # 5 not ready for pickup yet: refused by Amazon
        f"{waiting[3].order_id},Shipped,,\n"  # 6 not a shipment status
        f"{waiting[4].order_id},ReadyForPickup,,\n"  # 7 the same order's status twice
        f"{waiting[4].order_id},PickedUp,,\n"  # 8
        f"{waiting[5].order_id},ReadyForPickup,,UPS\n"  # 9 a status and a carrier
    )
    bulk = run("orders", "ship", "-c", "uk", "--from", str(path), expect=3)
    assert "8 records: 2 accepted, 0 with warnings, 6 refused." in bulk.stdout
    errors = {e["line"]: e for e in read_records(str(tmp_path / "pickup.errors.csv"), ERRORS)}
    assert {line: e["code"] for line, e in errors.items()} == {
        4: "InvalidInput",
        5: "InvalidInput",
        6: "INVALID_VALUE",
        7: "DUPLICATE_STATUS",
        8: "DUPLICATE_STATUS",
        9: "INVALID_VALUE",
    }
    assert "is fulfilled by Amazon" in errors[4]["message"]
    assert errors[4]["request_id"]
    assert "PickedUp does not apply: it has no shipment status yet" in errors[5]["message"]
    assert "not one of ReadyForPickup, PickedUp, RefusedPickup" in errors[6]["message"]
    assert "give a status (a shipment status update) or a carrier and tracking" in errors[9]["message"]
    assert confirmations(emulator, "updateShipmentStatus") == 2
    truth = shipment_statuses(emulator, seller)
    assert [u["status"] for u in truth[waiting[0].order_id]] == ["ReadyForPickup"]
    assert truth[waiting[1].order_id][0]["orderItems"] == [{"orderItemId": item, "quantity": 1}]
    assert all(truth[o.order_id] == [] for o in (afn, waiting[2], waiting[3], waiting[4], waiting[5]))

    picked = run("orders", "ship", waiting[0].order_id, "-c", "uk", "--status", "PickedUp")
    assert f"{waiting[0].order_id}: ACCEPTED (order {waiting[0].order_id} status PickedUp)" in picked.stdout
    assert status(emulator, seller, waiting[0].order_id) == "Shipped"
    again = run("orders", "ship", waiting[1].order_id, "-c", "uk", "--status", "ReadyForPickup", expect=3)
    assert "ReadyForPickup does not apply: its shipment status is ReadyForPickup" in again.stdout
    unknown = run("orders", "ship", waiting[1].order_id, "-c", "uk", "--status", "Delivered", expect=2)
    assert "ReadyForPickup" in unknown.stderr
    assert "RefusedPickup" in unknown.stderr


def test_a_rerun_sends_no_shipment_status_twice(emulator, seller, home, clock, tmp_path: Path):
    waiting = orders(emulator, seller, "MFN", "Unshipped")[:12]
    path = tmp_path / "pickup.csv"
    path.write_text("order_id,status\n" + "".join(f"{o.order_id},ReadyForPickup\n" for o in waiting))
    emulator.sandbox.faults.faults = (Fault("reset", 0.4),)  # no answer: not sent, as far as we know
    with Connections.open(home=home, clock=clock) as connections:
        connection = connections.get("uk")
        first = confirm_shipments(connection, open_source(str(path)))
        lost = [r.record.line for r in first.results if r.issues and r.issues[0].code == "NO_ANSWER"]
        assert 0 < len(lost) < len(waiting)
        assert confirmations(emulator, "updateShipmentStatus") == len(waiting) - len(lost)
        emulator.sandbox.faults.faults = ()
        second = confirm_shipments(connection, open_source(str(path)))
    assert second.resumed
    assert [r.outcome for r in second.results] == [Outcome.ACCEPTED] * len(waiting)
    assert confirmations(emulator, "updateShipmentStatus") == len(waiting)
    truth = shipment_statuses(emulator, seller)
    assert all([u["status"] for u in truth[o.order_id]] == ["ReadyForPickup"] for o in waiting)


def test_fba_inventory_as_rows(emulator, seller, home, clock):
    found = emulator.world.seller(seller["selling_partner_id"])
    fba = [p for p in emulator.sandbox.assortment.products(found) if p.amazon_fulfilled]
    with Connections.open(home=home, clock=clock) as connections:
        rows = list(inventory_rows(connections.get("uk"), details=True))
    assert [r["sku"] for r in rows] == [p.sku for p in fba]
    assert all(r["total"] == r["fulfillable"] + r["reserved"] for r in rows)
    assert {r["marketplace_id"] for r in rows} == {UK}


def test_inventory_list_writes_rows(run, emulator, seller, tmp_path: Path):
    found = emulator.world.seller(seller["selling_partner_id"])
    fba = [p for p in emulator.sandbox.assortment.products(found) if p.amazon_fulfilled]
    out = tmp_path / "inventory.parquet"
    said = run(
        "inventory", "list", "-c", "uk", "--sku", fba[0].sku, "--sku", fba[1].sku, "-o", str(out)
    ).stdout
    assert f"2 SKU(s) written to {out}." in said
    written = list(read_records(str(out), INVENTORY))
    assert [(r["sku"], r["fulfillable"]) for r in written] == [(fba[0].sku, None), (fba[1].sku, None)]
    detailed = run("inventory", "list", "-c", "uk", "--sku", fba[0].sku, "--details").stdout.splitlines()
    assert detailed[0].startswith("marketplace_id\tsku\tasin")
    assert detailed[1].startswith(f"{UK}\t{fba[0].sku}\t{fba[0].asin}")


def test_orders_ship_rerun_of_a_file_sent_already_sends_nothing_until_again(
    run, emulator, seller, tmp_path: Path
):
    waiting = orders(emulator, seller, "MFN", "Unshipped")[:2]
    path = tmp_path / "ship.csv"
    path.write_text(
        "order_id,carrier,tracking\n"
        + "".join(f"{o.order_id},UPS,T{n}\n" for n, o in enumerate(waiting))
        + "999-0000000-0000000,UPS,X\n"  # line 4: Amazon does not know it
        + f"{waiting[0].order_id},UPS,\n"  # line 5: no tracking, refused before sending
    )
    files = tmp_path / "ship.results.csv", tmp_path / "ship.errors.csv"
    first = run("orders", "ship", "-c", "uk", "--from", str(path), expect=3)
    assert "4 records: 2 accepted, 0 with warnings, 2 refused." in first.stdout
    written = [f.read_bytes() for f in files]
    calls = emulator.sandbox.stats.snapshot()
    assert confirmations(emulator) == 2

    rerun = run("orders", "ship", "-c", "uk", "--from", str(path), expect=3)
    assert "This input was sent already" in rerun.stderr
    assert "use --again" in rerun.stderr
    assert emulator.sandbox.stats.snapshot() == calls
    assert [f.read_bytes() for f in files] == written
    assert [(e["line"], e["code"]) for e in read_records(str(files[1]), ERRORS)] == [
        (4, "NotFound"),
        (5, "MISSING_VALUE"),
    ]

    items = "orders/v0/getOrderItems"
    again = run("orders", "ship", "-c", "uk", "--from", str(path), "--again", expect=3)
    assert "sent already" not in again.stderr
    assert sum(emulator.sandbox.stats.snapshot()[items].values()) == sum(calls[items].values()) + 3
    assert [e["code"] for e in read_records(str(files[1]), ERRORS)] == [
        "NOTHING_TO_SHIP",
        "NOTHING_TO_SHIP",
        "NotFound",
        "MISSING_VALUE",
    ]
