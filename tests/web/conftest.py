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
