"""The connection dialog in Debian's Chromium: add → authorise on the emulator's consent page → test →
log out → Advanced → remove, the error paths, a narrow window, no JavaScript, logging in over HTTPS.
Screenshots go to tests/screenshots/."""

import re

from playwright.sync_api import expect

from tests.conftest import seller_in
from tests.web.conftest import REFUSED_MARKETPLACE, open_page, screenshot


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
    page.wait_for_url("**/connections/uk-store")
    expect(page.locator("#message")).to_have_text(re.compile("uk-store is authorised"))
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


def test_mistakes_are_shown_beside_the_field_at_fault(page, ui, emulator, apps, connections):
    app = apps["Demo Public App"]
    page.goto("/add")
    fill_general(page, app, emulator, name="bad name!", country="UK")
    page.get_by_label("Client Identifier").fill("not-a-client-id")
    page.get_by_role("button", name="Add", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile("^Name 'bad name!'"), re.compile("^Client Identifier")]
    )
    expect(page.locator("#name-error")).to_contain_text("Name 'bad name!' is not valid")
    expect(page.locator("#client_id-error")).to_contain_text("Client Identifier 'not-a-client-id' is not in")
    expect(page.get_by_label("Client Identifier")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Country")).to_have_value("UK")
    expect(page.get_by_label("Client Secret", exact=True)).to_have_value("")  # never sent back
    expect(page.locator("#client_secret-retype")).to_have_text(re.compile("Type it again"))
    assert app["client_secret"] not in page.content()
    screenshot(page, "10-add-errors")
    assert connections.names() == []

    page.get_by_label("Name", exact=True).fill("half-done")
    page.get_by_label("Client Identifier").fill("")
    page.get_by_label("App ID").fill("")
    page.get_by_role("button", name="Authorise").click()  # saves, then finds what is missing
    expect(page.locator("#client_id-error")).to_contain_text("Client Identifier is needed to authorise")
    expect(page.locator("#client_secret-error")).to_contain_text("Client Secret is needed")
    expect(page.locator("#status")).to_contain_text("Configuration Incomplete")
    page.goto("/")
    expect(page.locator("#row-half-done")).to_contain_text("Configuration Incomplete")

    page.goto("/connections/half-done/advanced")
    page.get_by_label("Number of Retries").fill("11")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("#retries-error")).to_contain_text("less than or equal to 10")
    expect(page.get_by_label("Number of Retries")).to_have_value("11")
    screenshot(page, "11-advanced-error")
    assert connections.get("half-done").settings.advanced.retries == 3


def test_cancel_on_the_consent_page_and_a_failing_test(page, ui, emulator, apps, connections):
    app = apps["Demo Public App"]
    page.goto("/add")
    fill_general(page, app, emulator, name="uk", country="UK")
    page.get_by_role("button", name="Authorise").click()  # adds, then on to the consent page
    page.wait_for_url(f"{emulator.url}/apps/authorize/consent?*")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#cancelled")).to_be_visible()
    page.goto("/connections/uk")
    expect(page.locator("#status")).to_contain_text("Not authorised")

    page.get_by_role("button", name="Authorise").click()
    page.locator("#seller").select_option(seller_in(app, "US")["selling_partner_id"])
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/connections/uk")
    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#verdict")).to_have_text("✗ Connection does not work")
    expect(page.locator("#steps .step.fail .name")).to_have_text(["Country"])
    expect(page.locator("#steps .step.fail .text")).to_contain_text("is not among the seller's marketplaces")
    screenshot(page, "12-test-failed")
    page.goto("/")
    expect(page.locator("#row-uk")).to_contain_text("failed: Country")

    page.goto("/amazon-connector/callback?state=forged&spapi_oauth_code=x")
    expect(page.get_by_role("heading")).to_have_text("Authorisation not recognised")


def test_restricted_mode_reveals_its_fields_and_is_verified(page, ui, emulator, apps, connections):
    app = apps["Demo Private App (restricted)"]
    page.goto("/add")
    expect(page.get_by_label("Refresh Token")).to_be_hidden()
    page.get_by_label("Enable Restricted Data Access Mode").check()
    expect(page.get_by_label("Refresh Token")).to_be_visible()
    expect(page.get_by_label("AWS IAM Role ARN")).to_be_visible()
    fill_general(page, app, emulator, name="de-fbm", country="DE")
    refresh_token = seller_in(app, "DE")["refresh_token"]
    page.get_by_label("Refresh Token").fill(refresh_token)
    screenshot(page, "13-restricted-mode")
    page.get_by_role("button", name="Authorise").click()
    expect(page.locator("#message")).to_contain_text("Login with Amazon accepted")
    expect(page.locator("#status")).to_contain_text("Ready")
    assert refresh_token not in page.content()
    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#verdict")).to_have_text("✓ Connection works")
    expect(page.locator("#steps .step.pass .name")).to_contain_text(["Restricted Data Token"])


def test_steps_stream_into_a_page_opened_before_they_finished(page, ui, emulator, apps, connections):
    """The page is served as it looks before the first step (none shown, not finished); the script then
    receives every step from the server's event stream."""
    from tests.conftest import app_settings

    app = apps["Demo Private App (restricted)"]
    connections.add(
        "us",
        country="US",
        mode="restricted",
        refresh_token=seller_in(app, "US")["refresh_token"],
        **app_settings(app, emulator),
    )

    def as_if_just_started(route):
        html = route.fetch().text()
        html = re.sub(
            r'(<ol class="steps"[^>]*data-count=")\d+("[^>]*data-finished=")true"', r'\g<1>0\g<2>false"', html
        )
        html = re.sub(r"<li class=\"step .*?</li>", "", html, flags=re.S)
        html = html.replace('id="running" class="running" hidden', 'id="running" class="running"')
        route.fulfill(body=html, content_type="text/html")

    page.route(re.compile(r".*/test/[^/]+$"), as_if_just_started)
    page.goto("/connections/us")
    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#verdict")).to_have_text("✓ Connection works")
    expect(page.locator("#steps .step .name")).to_have_text(
        [
            "Token exchange",
            "getMarketplaceParticipations",
            "Country",
            "Restricted Data Token",
            "Client secret age",
        ]
    )
    expect(page.locator("#running")).to_be_hidden()


def test_narrow_window_and_no_javascript(browser, ui, emulator, apps, connections):
    from tests.conftest import app_settings

    app = apps["Demo Private App"]
    connections.add("us-store", country="US", **app_settings(app, emulator))
    connections.add("draft-only")
    page = open_page(browser, ui, width=390, javascript=False)
    try:
        page.goto("/")
        expect(page.locator("#row-us-store")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "20-narrow-list")
        page.goto("/connections/us-store")
        expect(page.get_by_label("Refresh Token")).to_be_visible()  # nothing hides it without a script
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "21-narrow-general")
        page.get_by_role("button", name="Test Connection").click()
        expect(page.locator("#result")).to_be_visible()  # the page refreshes itself until the end
        expect(page.locator("#steps .step .name").first).to_have_text("Settings")
    finally:
        page.context.close()


def test_log_in_over_https_with_a_self_signed_certificate(browser, connections, home):
    from amazon_connector.auth.tls import self_signed_certificate
    from amazon_connector.web.server import start_ui

    tls = self_signed_certificate(home / "own-tls", "page", ["127.0.0.1"])
    with start_ui(connections, port=0, login=True, certfile=tls.certfile, keyfile=tls.keyfile) as ui:
        context = browser.new_context(base_url=ui.url.rstrip("/"), ignore_https_errors=True)
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            page.goto("/")
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
            screenshot(page, "13-login")
            page.get_by_label("Login token").fill("guess")
            page.get_by_role("button", name="Log in").click()
            expect(page.locator("#token-error")).to_contain_text("not the login token")
            page.get_by_label("Login token").fill(ui.login_token or "")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_text("No connections yet.")).to_be_visible()
            cookies = {c["name"]: c for c in context.cookies()}
            assert cookies["ac_login"]["secure"]
            assert cookies["ac_session"]["secure"]
        finally:
            context.close()


def test_steps_view_a_step_run_it_and_see_its_outputs(page, ui, emulator, uk_seller, stock_step):
    page.goto("/")
    page.get_by_role("link", name="Steps", exact=True).click()
    expect(page.get_by_role("heading", name="Steps")).to_be_visible()
    expect(page.locator("#step-stock\\.toml")).to_contain_text("patchListingsItem")
    screenshot(page, "30-steps")

    page.get_by_role("link", name="stock.toml").click()
    expect(page.get_by_role("heading", name="stock")).to_be_visible()
    expect(page.locator("#checked")).to_contain_text("finds no problem")
    expect(page.locator('tr[data-target="sellerId"] th strong')).to_have_text("sellerId")
    expect(page.locator('tr[data-target="mode"] th strong')).to_have_count(0)
    weight = "e => getComputedStyle(e).fontWeight"  # what the eye sees: only required fields are bold
    assert page.locator('tr[data-target="mode"] th').evaluate(weight) == "400"
    assert page.locator('tr[data-target="sellerId"] th strong').evaluate(weight) == "700"
    expect(page.locator('tr[data-target="sku"] .filled')).to_have_text("column (auto) sku")
    screenshot(page, "31-step-mapping")

    page.get_by_role("button", name="Run").click()
    expect(page.locator("#result")).to_be_visible()  # the script follows the run, then shows its end
    expect(page.locator("#verdict")).to_have_text("✗ Some records failed")
    expect(page.locator("#summary")).to_have_text("3 record(s): 2 answered, 1 failed.")
    expect(page.locator("#done")).to_have_text("3")
    expect(page.locator("#output tbody tr")).to_have_count(2)
    expect(page.locator("#output")).to_contain_text(stock_step[0])
    expect(page.locator("#output .target")).to_have_text(re.compile(r"steps/stock\.output\.jsonl$"))
    errors = page.locator("#errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("InvalidInput")
    expect(errors).to_contain_text(REFUSED_MARKETPLACE)
    screenshot(page, "32-step-run")
