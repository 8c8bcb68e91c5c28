"""The page over plain HTTP on 127.0.0.1: CSRF, the login token, host names, headers, no secret in any
answer or log, the pasted-address and Log-in URI variants of Authorise, secret-age warnings, the command."""

import asyncio
import logging
import re
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from amazon_connector.clock import ManualClock
from amazon_connector.connections import CheckStep, Connections, Outcome, Status, TestReport
from amazon_connector.connections.connection import Connection
from amazon_connector.data.step import run_step
from amazon_connector.sandbox.robot import approve
from amazon_connector.web import runs
from amazon_connector.web import steps as web_steps
from amazon_connector.web.runs import TestRun, run_events
from amazon_connector.web.server import start_ui
from amazon_connector.web.steps import StepFileNotFound, StepFolder
from tests.conftest import app_settings, ended_by, python_process, seller_in
from tests.data.step.test_step_emulator import PATCH
from tests.values import APP_ID, AWS_KEY, AWS_SECRET, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.web.conftest import REFUSED_MARKETPLACE, sandbox_listings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HEADERS = {
    "content-security-policy": re.compile(r"^default-src 'self';.*frame-ancestors 'none'"),
    "x-frame-options": re.compile("^DENY$"),
    "referrer-policy": re.compile("^no-referrer$"),
    "x-content-type-options": re.compile("^nosniff$"),
}


def browser(ui) -> httpx.Client:
    return httpx.Client(base_url=ui.url, trust_env=False, timeout=10.0)


def token_of(client: httpx.Client, path: str = "/") -> str:
    match = CSRF.search(client.get(path).text)
    assert match is not None
    return match.group(1)


def general_form(csrf: str, **values: str) -> dict[str, str]:
    return {"csrf_token": csrf, "name": "uk", "country": "UK", "action": "save", **values}


def test_every_answer_carries_the_security_headers(ui):
    with browser(ui) as client:
        for path, status in [("/", 200), ("/add", 200), ("/static/app.css", 200), ("/nowhere", 404)]:
            response = client.get(path)
            assert response.status_code == status, path
            for name, pattern in HEADERS.items():
                assert pattern.search(response.headers.get(name, "")), (path, name)
        assert "https://" not in client.get("/").text.split("</head>")[0]  # no CDN: every asset is local


def test_a_post_needs_this_sessions_token_and_this_origin(ui, connections):
    with browser(ui) as client, browser(ui) as other:
        csrf = token_of(client, "/add")
        assert client.post("/add", data=general_form("")).status_code == 403
        assert client.post("/add", data=general_form(token_of(other, "/add"))).status_code == 403
        cross_site = {"sec-fetch-site": "cross-site"}
        assert client.post("/add", data=general_form(csrf), headers=cross_site).status_code == 403
        evil = {"origin": "http://evil.example"}
        assert client.post("/add", data=general_form(csrf), headers=evil).status_code == 403
        assert connections.names() == []
        refused = client.post("/add", data=general_form(csrf), headers={"cookie": "ac_session=forged"})
        assert refused.status_code == 403
        assert "nothing was changed" in refused.text

        created = client.post("/add", data=general_form(csrf), headers={"sec-fetch-site": "same-origin"})
        assert (created.status_code, created.headers["location"]) == (303, "/connections/uk")
        assert client.post("/connections/uk/remove", data={}).status_code == 403
        assert client.post("/extended-logging", data={"extended_logging": "on"}).status_code == 403
        assert connections.names() == ["uk"]
        assert not connections.get("uk").settings.advanced.extended_logging


def test_only_loopback_host_names_are_served(ui):
    with browser(ui) as client:
        for host in ("attacker.example", "127.0.0.1.attacker.example", "[", "localhost:x@evil"):
            assert client.get("/", headers={"host": host}).status_code == 421, host
        assert client.get("/", headers={"host": f"localhost:{urlsplit(ui.url).port}"}).status_code == 200


def test_confirmations_come_from_the_server_once_never_from_the_address(ui, connections):
    connections.add("uk", country="UK")
    with browser(ui) as client, browser(ui) as other:
        for path in ("/", "/connections/uk", "/connections/uk/advanced"):
            lure = client.get(path, params={"msg": "saved", "name": "ANY TEXT"})
            assert "ANY TEXT" not in lure.text
            assert 'id="message"' not in lure.text
        other.get("/")
        saved = client.post("/connections/uk", data=general_form(token_of(client, "/connections/uk")))
        assert saved.headers["location"] == "/connections/uk"
        assert 'id="message"' not in other.get("/connections/uk").text  # another browser's session
        shown = client.get("/connections/uk").text
        assert re.search(r'id="message">.*Saved uk\.</p>', shown)
        assert 'id="message"' not in client.get("/connections/uk").text  # once


def test_a_login_token_guards_every_page_but_amazons_redirects(connections):
    with start_ui(connections, port=0, login=True) as ui, browser(ui) as client:
        token = ui.login_token
        assert token
        assert len(token) >= 32
        assert client.get("/").headers["location"] == "/login"
        assert client.get("/add").status_code == 303
        assert client.post("/add", data={}).status_code == 401
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/amazon-connector/callback?state=x").status_code == 400  # its state guards it
        page = client.get("/login")
        assert 'method="post"' in page.text
        assert token not in page.text
        csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        wrong = client.post("/login", data={"csrf_token": csrf, "token": "guess"})
        assert wrong.status_code == 401
        assert "not the login token" in wrong.text
        assert client.post("/login", data={"token": token}).status_code == 403  # CSRF applies here too
        right = client.post("/login", data={"csrf_token": csrf, "token": token})
        assert right.status_code == 303
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert token not in cookie
        assert client.get("/").status_code == 200


def test_no_secret_reaches_a_page_an_event_or_the_log(ui, connections, caplog):
    secrets = [CLIENT_SECRET, REFRESH_TOKEN, AWS_KEY, AWS_SECRET]
    answers: list[httpx.Response] = []
    with caplog.at_level(logging.DEBUG), browser(ui) as client:
        csrf = token_of(client, "/add")
        form = general_form(
            csrf,
            mode="restricted",
            app_id=APP_ID,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            aws_access_key_id=AWS_KEY,
            aws_secret_access_key=AWS_SECRET,
            environment="http://127.0.0.1:9",  # nothing listens: the test fails fast
        )
        answers.append(client.post("/add", data=form))
        stored = connections.get("uk").settings
        assert [stored.secret(s) for s in ("client_secret", "refresh_token", "aws_secret_access_key")] == [
            CLIENT_SECRET,
            REFRESH_TOKEN,
            AWS_SECRET,
        ]
        kept = general_form(csrf, mode="restricted", app_id=APP_ID, client_id=CLIENT_ID, client_secret="")
        answers.append(client.post("/connections/uk", data={**kept, "environment": "http://127.0.0.1:9"}))
        assert connections.get("uk").settings.secret("client_secret") == CLIENT_SECRET  # blank keeps it
        answers.append(client.post("/connections/uk", data={**kept, "action": "test"}))
        run_page = answers[-1].headers["location"]
        answers += [client.get(run_page + "/events"), client.get(run_page)]
        answers += [client.get(p) for p in ("/", "/connections/uk", "/connections/uk/advanced")]
        answers.append(client.get("/connections/uk/remove"))
        bad = {**kept, "client_secret": CLIENT_SECRET[:-3] + "!!!", "app_id": "wrong"}
        answers.append(client.post("/connections/uk", data=bad))
        assert answers[-1].status_code == 400
        answers.append(client.post("/connections/uk", data={**kept, "clear_aws_access_key_id": "on"}))
        assert connections.get("uk").settings.aws_access_key_id is None
    assert "event: done" in answers[3].text
    for answer in answers:
        seen = answer.text + str(answer.headers)
        for secret in [*secrets, CLIENT_SECRET[:-3]]:
            assert secret not in seen, (answer.url, secret[:6])
    for secret in secrets:
        assert secret not in caplog.text
    assert "•••• (leave blank to keep)" in answers[6].text


def test_the_event_stream_sends_each_step_as_it_finishes():
    run = TestRun("uk")

    async def follow() -> list[str]:
        events = run_events(run, 0)
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.2)
        assert not first.done()  # nothing to say before the first step
        run.steps.append(CheckStep("Token exchange", Outcome.PASS, "ok"))
        received = [await first]
        run.steps.append(CheckStep("Country", Outcome.FAIL, "not there"))
        received.append(await anext(events))
        run.error = "The store is unavailable."
        run.done.set()
        received += [event async for event in events]
        return received

    with ThreadPoolExecutor(1) as own_loop:  # Playwright may hold this thread's event loop
        events = own_loop.submit(asyncio.run, follow()).result()
    assert [e.split("\n")[0] for e in events] == ["event: step", "event: step", "event: done"]
    assert '"outcome": "fail"' in events[1]
    assert '"summary": "The store is unavailable."' in events[2]


class _StepsThatFinishTheRunWhenCopied(list[CheckStep]):
    """A run's steps that, when copied for its page, first gain the last step and finish the run: the run
    finishes while its page is being made, at the one moment that matters, every time."""

    def __init__(self, run: TestRun) -> None:
        super().__init__()
        self.run = run

    def __iter__(self) -> Iterator[CheckStep]:
        shown = list(super().__iter__())
        if not self.run.finished:
            self.append(CheckStep("Client secret age", Outcome.PASS, "90 days left"))
            self.run.report = TestReport(self.run.connection, datetime.now(UTC), [*shown, self[-1]])
            self.run.done.set()
        return iter(shown)


def test_a_run_that_finishes_while_its_page_is_made_streams_its_last_steps(ui, connections, monkeypatch):
    """The page says finished only with every step on it; otherwise its script streams the rest."""

    @dataclass
    class RacingRun(TestRun):
        def __post_init__(self) -> None:
            self.steps = _StepsThatFinishTheRunWhenCopied(self)

    released = threading.Event()

    def test(self: Connection, on_step: Callable[[CheckStep], None]) -> TestReport:
        on_step(CheckStep("Token exchange", Outcome.PASS, "ok"))
        released.wait(30)  # the page finishes the run meanwhile
        return TestReport(self.name, datetime.now(UTC))

    monkeypatch.setattr(runs, "TestRun", RacingRun)
    monkeypatch.setattr(Connection, "test", test)
    connections.add("uk", country="UK", environment="http://127.0.0.1:9")
    try:
        with browser(ui) as client:
            started = client.post("/connections/uk", data=general_form(token_of(client), action="test"))
            page = client.get(started.headers["location"])
            steps = re.search(r'data-count="(\d+)" data-finished="(\w+)"', page.text)
            assert steps is not None
            assert steps.groups() == ("1", "false")  # one step shown, still running: the script goes on
            assert page.text.count('<li class="step ') == 1
            rest = client.get(started.headers["location"] + "/events", params={"from": "1"}).text
    finally:
        released.set()
    assert [e.split("\n")[0] for e in rest.strip().split("\n\n")] == ["event: step", "event: done"]
    assert '"name": "Client secret age"' in rest


def test_a_malformed_step_number_is_a_400(ui, connections):
    connections.add("uk", country="UK", environment="http://127.0.0.1:9")  # the test fails fast
    with browser(ui) as client:
        started = client.post("/connections/uk", data=general_form(token_of(client), action="test"))
        events = started.headers["location"] + "/events"
        for bad in ("abc", "-1", "1.5", "9" * 5000):
            answer = client.get(events, params={"from": bad})
            assert answer.status_code == 400, bad
            assert "0 or more" in answer.text
        assert "event: done" in client.get(events, params={"from": ""}).text
        assert "event: done" in client.get(events, params={"from": "1"}).text


def test_the_answer_is_pasted_when_the_redirect_uri_is_elsewhere(
    ui, emulator, apps, https_redirect_uri, connections
):
    app = apps["Demo Public App"]
    connections.add("uk", country="UK", redirect_uri=https_redirect_uri, **app_settings(app, emulator))
    with browser(ui) as client:
        csrf = token_of(client, "/connections/uk")
        form = {"csrf_token": csrf, "name": "uk", "country": "UK", "app_id": app["app_id"]}
        form |= {
            "client_id": app["client_id"],
            "environment": emulator.url,
            "redirect_uri": https_redirect_uri,
        }
        page = client.post("/connections/uk", data={**form, "action": "authorise"})
        assert page.status_code == 200
        consent = re.search(r'href="([^"]+)"[^>]*id="consent-link"', page.text)
        assert consent is not None
        landed = approve(
            consent.group(1).replace("&amp;", "&"),
            selling_partner_id=seller_in(app, "UK")["selling_partner_id"],
            follow=False,
        )
        wrong = client.post(
            "/connections/uk/authorise", data={"csrf_token": csrf, "landed": "https://x/?a=b"}
        )
        assert wrong.status_code == 400
        assert 'id="landed-error"' in wrong.text
        done = client.post("/connections/uk/authorise", data={"csrf_token": csrf, "landed": landed})
        assert done.headers["location"] == "/connections/uk"
    assert connections.get("uk").status is Status.READY


def test_the_log_in_uri_hop_comes_back_through_this_page(ui, emulator, apps, connections):
    app = apps["Demo Log-in URI App"]
    assert urlsplit(app["login_uri"]).port == urlsplit(ui.url).port
    connections.add("jp", country="JP", **app_settings(app, emulator), redirect_uri=app["redirect_uris"][0])
    with browser(ui) as client:
        assert client.get("/amazon-connector/login?amazon_state=x").status_code == 400  # no authorisation
        csrf = token_of(client, "/connections/jp")
        form = {
            "csrf_token": csrf,
            "name": "jp",
            "country": "JP",
            "app_id": app["app_id"],
            "action": "authorise",
        }
        form |= {
            "client_id": app["client_id"],
            "environment": emulator.url,
            "redirect_uri": app["redirect_uris"][0],
        }
        started = client.post("/connections/jp", data=form)
        assert started.status_code == 303
        assert "Path=/amazon-connector/login; SameSite=lax" in started.headers["set-cookie"]
        landed = approve(
            started.headers["location"],
            selling_partner_id=seller_in(app, "JP")["selling_partner_id"],
            client=client,
        )
        assert landed.startswith(f"{ui.url}amazon-connector/callback?")
        final = client.get(landed)
        assert final.status_code == 400  # the redirect was used once already, by approve()
    assert connections.get("jp").status is Status.READY


def test_secret_age_warnings_show_on_the_list_and_the_connection(home):
    entered = datetime.now(UTC) - timedelta(days=175)
    with Connections.open(home=home, clock=ManualClock(entered)) as then:
        then.add("old", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with (
        Connections.open(home=home) as connections,
        start_ui(connections, port=0) as ui,
        browser(ui) as client,
    ):
        listing = client.get("/").text
        assert "ROTATE NOW" in listing
        assert "5 days left" in listing
        page = client.get("/connections/old").text
        assert 'id="secret-message" role="alert"' in page
        assert (entered + timedelta(days=180)).strftime("%Y-%m-%d") in page


@pytest.mark.parametrize(
    ("stop", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-as-a-background-job", "sigterm"],
)
def test_the_ui_command_serves_until_interrupted_or_terminated(home, stop, sigint_ignored):
    """Also as a background job of a non-interactive shell, which starts with SIGINT ignored."""
    with python_process(
        "-m", "amazon_connector", "ui", "--no-browser", "--port", "0", sigint_ignored=sigint_ignored
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url is not None, line
        with httpx.Client(trust_env=False) as client:
            assert "Connections" in client.get(url.group(0)).text
        rest, errors = ended_by(process, stop)
    assert process.returncode == 0, errors
    assert "Stopped." in rest
    assert errors == ""


def test_the_client_secret_is_rotated_from_the_page(ui, emulator, apps, connections):
    from amazon_connector.sandbox.aws.queues import queue_name, queue_url

    app = apps["Demo Private App (restricted)"]
    seller = seller_in(app, "DE")
    connections.add(
        "de",
        country="DE",
        mode="restricted",
        refresh_token=seller["refresh_token"],
        **app_settings(app, emulator),
    )
    connections.applications.configure_queue(
        app["client_id"], queue_url(emulator.url, queue_name(app["client_id"]))
    )
    with browser(ui) as client:
        csrf = token_of(client, "/connections/de")
        answer = client.post("/connections/de/rotate-secret", data={"csrf_token": csrf})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/connections/de"
        page = client.get(answer.headers["location"]).text
        assert "every connection with its client ID use it" in page
    new = connections.get("de").settings.secret("client_secret")
    assert new != app["client_secret"]
    assert new not in page
    draft = apps["Demo Draft App"]
    connections.add("uk", country="UK", **app_settings(draft, emulator))
    with browser(ui) as client:
        csrf = token_of(client, "/connections/uk")
        refused = client.post("/connections/uk/rotate-secret", data={"csrf_token": csrf})
        assert refused.status_code == 400
        assert "not enrolled for rotation notification" in refused.text


def test_legacy_signing_is_set_beside_the_aws_keys(ui, connections):
    with browser(ui) as client:
        csrf = token_of(client, "/add")
        form = general_form(csrf, mode="restricted", aws_access_key_id=AWS_KEY, sign_requests="on")
        assert client.post("/add", data=form).status_code == 303
        assert connections.get("uk").settings.advanced.sign_requests
        assert 'name="sign_requests"' in client.get("/connections/uk").text
        again = general_form(token_of(client, "/connections/uk"), mode="restricted")
        assert client.post("/connections/uk", data=again).status_code == 303
        assert not connections.get("uk").settings.advanced.sign_requests


def test_the_list_shows_a_connection_that_cannot_be_read_and_it_can_be_removed(ui, connections, home):
    connections.add("good", country="UK")
    connections.add("newer", country="DE")
    db = sqlite3.connect(home / "connections.db")
    with db:
        db.execute(
            'UPDATE connections SET settings = \'{"name": "newer", "mode": "warp"}\' WHERE name = \'newer\''
        )
    db.close()
    same_origin = {"sec-fetch-site": "same-origin"}
    with browser(ui) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert 'id="row-good"' in page.text
        assert 'id="unreadable-newer"' in page.text
        assert "cannot be read (mode:" in page.text
        assert client.get("/connections/newer").status_code == 400
        csrf = token_of(client, "/connections/newer/remove")
        removed = client.post("/connections/newer/remove", data={"csrf_token": csrf}, headers=same_origin)
        assert removed.status_code == 303
    assert connections.names() == ["good"]


# --- the Steps section ---------------------------------------------------------------------------


def events_of(text: str) -> list[str]:
    return [e.split("\n")[0].removeprefix("event: ") for e in text.strip().split("\n\n")]


def test_the_step_files_of_the_folder_are_listed(ui, steps_folder, stock_step, tmp_path):
    (steps_folder / "broken.yaml").write_text("name: [unclosed\n")
    (steps_folder / "notes.txt").write_text("not a step")
    (steps_folder / ".hidden.toml").write_text('name = "hidden"')
    outside = tmp_path / "outside.toml"
    outside.write_text('name = "outside"\nconnection = "uk"\noperation = "getOrders"\n')
    (steps_folder / "link.toml").symlink_to(outside)
    with browser(ui) as client:
        page = client.get("/steps")
    assert page.status_code == 200
    listed = re.findall(r'<th scope="row" data-label="File"><a href="/steps/([^"]+)">', page.text)
    assert listed == ["broken.yaml", "stock.toml"]
    assert "This file has 1 problem(s)" in page.text
    assert "<code>patchListingsItem</code>" in page.text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text  # the step file's text is escaped
    assert '<a href="/steps" aria-current="page">Steps</a>' in page.text


def test_a_step_shows_its_settings_and_its_mapping_with_required_fields_in_bold(ui, stock_step):
    with browser(ui) as client:
        page = client.get("/steps/stock.toml")
    assert page.status_code == 200
    assert 'id="checked"' in page.text  # step check finds no problem
    rows = {
        target: kind for kind, target in re.findall(r'<tr class="([^"]*)" data-target="([^"]+)">', page.text)
    }
    assert rows["sellerId"] == rows["sku"] == rows["body.productType"] == "required"
    assert rows["mode"] == rows["issueLocale"] == ""
    assert "<strong>sellerId</strong>" in page.text
    assert "<strong>mode</strong>" not in page.text
    sku = re.search(r'data-target="sku">.*?</tr>', page.text, re.S)
    assert sku is not None
    assert "column (auto) <code>sku</code>" in sku.group(0)
    product_type = re.search(r'data-target="body.productType">.*?</tr>', page.text, re.S)
    assert product_type is not None
    assert "column <code>product_type</code>" in product_type.group(0)
    op = re.search(r'data-target="body.patches\[0\].op">.*?</tr>', page.text, re.S)
    assert op is not None
    assert "fixed value <code>&#34;merge&#34;</code>" in op.group(0)
    assert rows["body.patches[0].value[0].quantity"] == ""  # below a field the model leaves open
    quantity = re.search(r'data-target="body.patches\[0\].value\[0\].quantity">.*?</tr>', page.text, re.S)
    assert quantity is not None
    assert "Inside a field Amazon&#39;s model leaves open" in quantity.group(0)
    assert '<td data-label="Type">open</td>' in quantity.group(0)
    assert "column <code>quantity</code>" in quantity.group(0)
    listed = list(rows)
    at = listed.index("body.patches[0].value")  # the open field, then what the step sets in it
    assert listed[at + 1 : at + 3] == [
        "body.patches[0].value[0].fulfillment_channel_code",
        "body.patches[0].value[0].quantity",
    ]
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text
    assert re.search(r'id="source">[^<]*stock\.csv</dd>', page.text)
    assert re.search(r'id="output-target">[^<]*steps/stock\.output\.jsonl</code>', page.text)


def test_a_step_with_mistakes_shows_each_problem_with_its_place(ui, steps_folder, uk_seller):
    (steps_folder / "mistakes.toml").write_text(
        'name = "mistakes"\nconnection = "uk"\noperation = "patchListingsItem"\n\n'
        "[mapping.fields]\n"
        'sku = "KIT-1"\nmarketplaceIds = "A1F83G8C2ARO7P"\n"body.productType" = "LUGGAGE"\n'
        '"body.patches[0].op" = "merge"\n"body.patches[0].path" = "/attributes/item_name"\n'
        '"body.noSuchField" = 1\n'
    )
    (steps_folder / "database.toml").write_text(
        'name = "from a database"\nconnection = "uk"\noperation = "getCatalogItem"\n\n'
        "[source]\n"
        'path = "postgresql+psycopg://me:hunter2pw@127.0.0.1:9/shop"\nquery = "SELECT asin FROM items"\n'
    )
    (steps_folder / "options.toml").write_text(
        'name = "options"\nconnection = "uk"\noperation = "patchListingsItem"\n\n'
        '[mapping.fields]\nsku = "KIT-1"\n\n[options]\non_error = "explode"\n'
    )
    (steps_folder / "broken.yaml").write_text("name: ok\noperation: [unclosed\n")
    with browser(ui) as client:
        page = client.get("/steps/mistakes.toml")
        database = client.get("/steps/database.toml")
        broken = client.get("/steps/broken.yaml")
        options = client.get("/steps/options.toml")
    assert page.status_code == 200
    problems = re.findall(
        r'<code class="place">([^<]+)</code> <span class="message">([^<]+)</span>', page.text
    )
    places = {message.split(" (")[0]: place for place, message in problems}
    file = steps_folder / "mistakes.toml"
    assert (
        places["body has no field &#39;noSuchField&#39;"]
        == f"{file}:11 (mapping.fields.&#34;body.noSuchField&#34;)"
    )
    assert places["the required field sellerId is not mapped"] == f"{file}:5 (mapping.fields)"
    flagged = re.findall(r'<tr class="required missing" data-target="([^"]+)">', page.text)
    assert flagged == ["sellerId"]
    assert "required, not mapped" in page.text

    # past a wrong option, the mapping is checked all the same, as `step check` does
    assert options.status_code == 200
    found = re.findall(
        r'<code class="place">([^<]+)</code> <span class="message">([^<]+)</span>', options.text
    )
    file = steps_folder / "options.toml"
    assert (f"{file}:9 (options.on_error)", "Input should be &#39;continue&#39; or &#39;stop&#39;") in found
    assert (f"{file}:5 (mapping.fields)", "the required field sellerId is not mapped") in found
    assert "sellerId" in re.findall(r'<tr class="required missing" data-target="([^"]+)">', options.text)

    assert database.status_code == 200
    assert "The query on postgresql+psycopg://me:***@127.0.0.1:9/shop failed" in database.text
    assert "hunter2pw" not in database.text  # the database's password is never shown
    assert broken.status_code == 200
    assert re.search(
        r'<code class="place">[^<]*broken\.yaml:\d+</code> <span class="message">not valid YAML', broken.text
    )
    assert "Traceback" not in broken.text


def test_a_step_runs_with_its_progress_then_its_outputs_and_errordata(
    ui, emulator, uk_seller, stock_step, steps_folder
):
    with browser(ui) as client:
        started = client.post(
            "/steps/stock.toml/run", data={"csrf_token": token_of(client, "/steps/stock.toml")}
        )
        assert started.status_code == 303
        run_page = started.headers["location"]
        assert re.fullmatch(r"/steps/stock\.toml/runs/[\w-]+", run_page)
        streamed = client.get(run_page + "/events").text  # follows the run to its end
        page = client.get(run_page)
    assert events_of(streamed)[-2:] == ["progress", "done"]
    assert '"done": 3, "total": 3, "answered": 2, "failed": 1' in streamed
    assert '"summary": "3 record(s): 2 answered, 1 failed."' in streamed
    assert 'data-finished="true"' in page.text
    assert re.search(
        r'<span id="done">3</span> of <span id="total">3</span> records done: <span id="answered">2</span> answered, <span id="failed">1</span> failed',
        page.text,
    )
    assert "✗ Some records failed" in page.text

    held = sandbox_listings(emulator, uk_seller)
    assert [held[sku]["quantity"] for sku in (stock_step[0], stock_step[2])] == [40, 42]
    assert held[stock_step[1]]["quantity"] != 41
    output = re.search(r'<section class="panel output" id="output".*?</section>', page.text, re.S)
    errors = re.search(r'<section class="panel output" id="errors".*?</section>', page.text, re.S)
    assert output is not None
    assert errors is not None
    assert f'<code class="target">{steps_folder / "stock.output.jsonl"}</code>' in output.group(0)
    assert f'<code class="target">{steps_folder / "stock.errors.jsonl"}</code>' in errors.group(0)
    output_rows = re.findall(r"<tr><td>(\d+)</td><td>uk</td><td>200</td>", output.group(0))
    assert output_rows == ["2", "4"]
    for sku in (stock_step[0], stock_step[2]):
        assert f"&#34;sku&#34;: &#34;{sku}&#34;" in output.group(0)
    assert "&#34;row&#34;: &#34;REF-0&#34;" in output.group(0)  # the references travel along
    error_rows = re.findall(
        r"<tr><td>(\d+)</td><td>[^<]*</td><td>patchListingsItem</td><td>(\w+)</td>", errors.group(0)
    )
    assert error_rows == [("3", "InvalidInput")]
    assert REFUSED_MARKETPLACE in errors.group(0)
    assert "&#34;row&#34;: &#34;REF-1&#34;" in errors.group(0)


def run_to_its_end(client: httpx.Client, action: str) -> str:
    """POST the step page's ``action`` (run, again) with this session's token; the run's page once it ended."""
    started = client.post(
        f"/steps/stock.toml/{action}", data={"csrf_token": token_of(client, "/steps/stock.toml")}
    )
    assert started.status_code == 303
    assert "event: done" in client.get(started.headers["location"] + "/events").text
    return client.get(started.headers["location"]).text


def test_a_rerun_sends_nothing_and_says_so_and_send_again_sends_on_purpose(
    ui, emulator, emulator_clock, stock_step
):
    def patches() -> int:
        return sum(emulator.sandbox.stats.snapshot().get(PATCH, {}).values())

    with browser(ui) as client:
        first = run_to_its_end(client, "run")
        assert patches() == 3
        assert 'id="send-again"' not in first
        assert 'id="note-1"' not in first

        rerun = run_to_its_end(client, "run")
        assert patches() == 3  # the input was sent already: nothing is sent again
        note = re.search(r'<p class="notice" role="status" id="note-1">([^<]+)</p>', rerun)
        assert note is not None
        assert note.group(1).startswith("This input was sent already: run ")
        assert "3 record(s): 2 answered, 1 failed (3 answered by an earlier run, not sent again)" in rerun
        form = re.search(r'<form method="post" action="/steps/stock.toml/again".*?</form>', rerun, re.S)
        assert form is not None
        assert re.search(r'name="csrf_token" value="[^"]+"', form.group(0))
        assert ">Send again</button>" in form.group(0)

        assert client.post("/steps/stock.toml/again", data={}).status_code == 403
        assert patches() == 3
        emulator_clock.advance(60)  # a minute later: Amazon's bucket for the operation is full again
        again = run_to_its_end(client, "again")
        assert patches() == 6  # sent again, on purpose
        assert "<h1>Send again of stock.toml</h1>" in again
        assert 'id="send-again"' not in again
        assert "3 record(s): 2 answered, 1 failed." in again


def test_a_second_run_while_one_is_running_says_so(ui, uk_seller, stock_step, monkeypatch):
    released = threading.Event()
    real = run_step

    def held_back(*args, **kwargs):
        released.wait(30)  # the first run holds until the second Run was refused
        return real(*args, **kwargs)

    monkeypatch.setattr(web_steps, "run_step", held_back)
    try:
        with browser(ui) as client:
            csrf = token_of(client, "/steps/stock.toml")
            first = client.post("/steps/stock.toml/run", data={"csrf_token": csrf})
            assert first.status_code == 303
            second = client.post("/steps/stock.toml/run", data={"csrf_token": csrf})
            assert second.status_code == 409
            assert "This step is running now" in second.text
            assert f'href="{first.headers["location"]}">follow its run</a>' in second.text
            running = client.get(first.headers["location"])
            assert 'data-finished="false"' in running.text
            assert (
                '<meta http-equiv="refresh" content="1">' in running.text
            )  # refreshes itself without scripts
            released.set()
            assert "event: done" in client.get(first.headers["location"] + "/events").text
            assert "This step is running now" not in client.get("/steps/stock.toml").text
    finally:
        released.set()


def test_only_step_files_in_the_folder_are_served(ui, steps_folder, stock_step, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('name = "outside"\nconnection = "uk"\noperation = "getOrders"\n')
    (steps_folder / "link.toml").symlink_to(outside)
    (steps_folder / "notes.txt").write_text("name = 'not a step'")
    (steps_folder / "sub").mkdir()
    (steps_folder / "sub" / "inner.toml").write_text(
        'name = "inner"\nconnection = "uk"\noperation = "getOrders"\n'
    )
    with browser(ui) as client:
        csrf = token_of(client, "/steps/stock.toml")
        for path in (
            "/steps/..%2Foutside.toml",
            "/steps/../outside.toml",
            "/steps/%2E%2E",
            "/steps/link.toml",
            "/steps/notes.txt",
            "/steps/sub%2Finner.toml",
            "/steps/missing.toml",
            "/steps/stock.csv",
        ):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert "outside" not in answer.text
            refused = client.post(path + "/run", data={"csrf_token": csrf})
            assert refused.status_code == 404, path
        assert client.get("/steps/link.toml/runs/x").status_code == 404
    folder = StepFolder(steps_folder)
    assert folder.names() == ["stock.toml"]
    for name in ("../outside.toml", "sub/inner.toml", "..", ".hidden.toml", "link.toml", "", "stock.csv"):
        with pytest.raises(StepFileNotFound):
            folder.file(name)


def test_a_run_needs_this_sessions_token(ui, stock_step, steps_folder):
    with browser(ui) as client, browser(ui) as other:
        token_of(client, "/steps/stock.toml")
        assert client.post("/steps/stock.toml/run", data={}).status_code == 403
        refused = client.post(
            "/steps/stock.toml/run", data={"csrf_token": token_of(other, "/steps/stock.toml")}
        )
        assert refused.status_code == 403
        assert "nothing was changed" in refused.text
    assert not (steps_folder / "stock.output.jsonl").exists()
