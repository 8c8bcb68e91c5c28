"""The page served on 127.0.0.1, with the emulator registering the page's own redirect URI; Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amazon_connector.web.server import RunningUi, start_ui
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
def ui_port() -> int:
    return free_port()


@pytest.fixture
def redirect_uri(ui_port: int) -> str:
    """The page's own callback: the emulator's apps register it, so Amazon's answer comes back here."""
    return f"http://127.0.0.1:{ui_port}/amazon-connector/callback"


@pytest.fixture
def ui(connections, ui_port: int) -> Iterator[RunningUi]:
    with start_ui(connections, port=ui_port) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests.")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, ui: RunningUi, *, width: int = 1100, javascript: bool = True) -> Any:
    context = browser.new_context(
        base_url=ui.url.rstrip("/"),
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser: Any, ui: RunningUi) -> Iterator[Any]:
    page = open_page(browser, ui)
    yield page
    page.context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


STOCK_STEP = """
name = "stock"
description = "Quantities from stock.csv <b>not bold</b>"
connection = "uk"
operation = "patchListingsItem"

[source]
path = "stock.csv"

[mapping]
references = ["row"]

[mapping.fields]
sellerId = "SELLER"
marketplaceIds = { column = "marketplace", transform = ["trim", "upper"] }
"body.productType" = { column = "product_type" }
"body.patches[0].op" = "merge"
"body.patches[0].path" = "/attributes/fulfillment_availability"
"body.patches[0].value[0].fulfillment_channel_code" = "DEFAULT"
"body.patches[0].value[0].quantity" = { column = "quantity", transform = "number" }
"""
REFUSED_MARKETPLACE = "A00BADMARKET"


def sandbox_listings(emulator: Any, seller: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The emulator's listings of ``seller`` by SKU (its ground truth)."""
    import httpx

    found = httpx.get(f"{emulator.url}/_sandbox/listings/{seller['selling_partner_id']}", trust_env=False)
    return {f["sku"]: f for f in found.json()}


@pytest.fixture
def steps_folder(home: Path) -> Path:
    """The page's Steps folder (``steps`` in the data directory)."""
    folder = home / "steps"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def uk_seller(emulator: Any, connections: Any) -> dict[str, Any]:
    """Connection ``uk``: the emulator's restricted app, its UK seller."""
    from tests.conftest import connect_uk_seller

    return connect_uk_seller(emulator, connections.home)


@pytest.fixture
def stock_step(steps_folder: Path, emulator: Any, uk_seller: dict[str, Any]) -> list[str]:
    """``stock.toml``: quantities for three of the seller's merchant SKUs from ``stock.csv``, the second
    for a marketplace Amazon refuses (line 3); the SKUs in order."""
    held = sandbox_listings(emulator, uk_seller)
    skus = [sku for sku, f in held.items() if f["channel"] == "DEFAULT"][:3]
    rows = ["sku,product_type,marketplace,quantity,row"]
    for n, sku in enumerate(skus):
        marketplace = REFUSED_MARKETPLACE if n == 1 else " a1f83g8c2aro7p "
        rows.append(f"{sku},{held[sku]['productType']},{marketplace},{n + 40},REF-{n}")
    (steps_folder / "stock.csv").write_text("\n".join(rows) + "\n")
    (steps_folder / "stock.toml").write_text(STOCK_STEP.replace("SELLER", uk_seller["selling_partner_id"]))
    return skus
