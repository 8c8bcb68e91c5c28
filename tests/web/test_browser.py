"""The connection dialog in Debian's Chromium: add → authorise on the emulator's consent page → test →
log out → Advanced → remove, the error paths, a narrow window and no JavaScript. Screenshots go to
tests/screenshots/."""

import re

from playwright.sync_api import expect

from tests.conftest import seller_in
from tests.web.conftest import open_page, screenshot


def fill_general(page, app, emulator, *, name, country, redirect_uri=None):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Country").select_option(country)
    page.get_by_label("App ID").fill(app["app_id"])
    page.get_by_label("Client Identifier").fill(app["client_id"])
    page.get_by_label("Client Secret", exact=True).fill(app["client_secret"])
    page.get_by_text("Environment and redirect").click()
    page.get_by_label("Environment").fill(emulator.url)
    if redirect_uri is not None:
        page.get_by_label("OAuth Redirect URI").fill(redirect_uri)


def test_add_authorise_test_log_out_advanced_remove(page, ui, emulator, apps, redirect_uri, connections):
    app = apps["Demo Public App"]
    seller = seller_in(app, "UK")
    page.goto("/")
    expect(page.get_by_text("No connections yet.")).to_be_visible()
    screenshot(page, "01-connections-empty")

    page.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add a connection")).to_be_visible()
    fill_general(page, app, emulator, name="uk-store", country="UK")
    expect(page.get_by_label("OAuth Redirect URI")).to_have_value(redirect_uri)
    screenshot(page, "02-add-general")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#message")).to_have_text(re.compile("Saved uk-store"))
    expect(page.locator("#status")).to_contain_text("Not authorised")
    assert app["client_secret"] not in page.content()
    expect(page.get_by_label("Client Secret", exact=True)).to_have_attribute(
        "placeholder", "•••• (leave blank to keep)"
    )

    page.get_by_role("button", name="Authorise").click()
    page.wait_for_url(f"{emulator.url}/apps/authorize/consent?*")
    screenshot(page, "03-consent-page")
    page.locator("#seller").select_option(seller["selling_partner_id"])
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#result")).to_have_text("Authorised")
    page.wait_for_url("**/connections/uk-store?msg=authorised")
    expect(page.locator("#status")).to_contain_text("Ready")
    expect(page.get_by_label("Selling partner ID")).to_have_value(seller["selling_partner_id"])
    screenshot(page, "04-authorised")
    assert (connections.get("uk-store").settings.secret("refresh_token") or "").startswith("Atzr|")

    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#verdict")).to_have_text("✓ Connection works")
    steps = page.locator("#steps .step .name")
    expect(steps).to_have_text(
        ["Token exchange", "getMarketplaceParticipations", "Country", "Client secret age"]
    )
    expect(page.locator("#steps .step.fail")).to_have_count(0)
    screenshot(page, "05-test-connection")

    page.get_by_role("link", name="Back to uk-store").click()
    page.get_by_role("button", name="Log Out").click()
    expect(page.locator("#message")).to_have_text(re.compile("Logged out uk-store"))
    expect(page.locator("#status")).to_contain_text("Configuration Incomplete")
    assert connections.get("uk-store").settings.refresh_token is None

    page.get_by_role("link", name="Advanced").click()
    expect(page.get_by_label("Number of Retries")).to_have_value("3")
    page.get_by_label("Number of Retries").fill("5")
    page.get_by_label("Retry Wait Time").select_option("10")
    page.get_by_label("Enable Pagination").uncheck()
    screenshot(page, "06-advanced")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("#message")).to_contain_text("Saved uk-store.")
    advanced = connections.get("uk-store").settings.advanced
    assert (advanced.retries, advanced.retry_wait, advanced.pagination) == (5, 10, False)
    expect(page.locator("#row-uk-store")).to_contain_text("Configuration Incomplete")
    screenshot(page, "07-connections-list")

    page.get_by_role("link", name="Remove uk-store").click()
    screenshot(page, "08-remove")
    page.get_by_role("button", name="Remove uk-store").click()
    expect(page.locator("#message")).to_contain_text("Removed uk-store.")
    expect(page.get_by_text("No connections yet.")).to_be_visible()
    assert connections.names() == []
