"""The command-line tool, run as a user runs it (in-process, but for a command whose output is read while
it runs), against the emulator over real HTTP."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amazon_connector.sandbox.robot import approve
from tests.conftest import seller_in


def _add_uk(run, emulator, app, redirect_uri):
    return run(
        "connections", "add", "uk-store", "--country", "UK",
        "--app-id", app["app_id"], "--client-id", app["client_id"],
        "--redirect-uri", redirect_uri, "--environment", emulator.url,
        env={"AMAZON_CONNECTOR_CLIENT_SECRET": app["client_secret"]},
    )  # fmt: skip


def test_add_authorise_test_logout(run, emulator, apps, redirect_uri, tmp_path):
    app = apps["Demo Public App"]
    out = _add_uk(run, emulator, app, redirect_uri).stdout
    assert "Not authorised" in out
    shown = run("connections", "show", "uk-store", "--json").stdout
    assert app["client_secret"] not in shown
    assert json.loads(shown)["client_secret"] == "set"

    started = run("connections", "authorise", "uk-store", "--no-browser", "--no-wait").stdout
    url = re.search(r"(http://127\.0\.0\.1:\d+/apps/authorize/consent\?\S+)", started)
    assert url, started
    landed = approve(
        url.group(1), selling_partner_id=seller_in(app, "UK")["selling_partner_id"], follow=False
    )
    done = run("connections", "authorize", "uk-store", "--complete", landed).stdout
    assert "authorised" in done
    assert "Ready" in done

    tested = run("connections", "test", "uk-store").stdout
    assert "✓ Token exchange" in tested
    assert "✓ Country" in tested
    assert "Connection works" in tested
    listed = run("connections", "list").stdout
    assert "uk-store" in listed
    assert "Ready" in listed

    out = run("connections", "logout", "uk-store").stdout
    assert "Configuration Incomplete" in out
    failed = run("connections", "test", "uk-store", expect=1).stdout
    assert "✗ Settings" in failed

    export = tmp_path / "export.json"
    run("connections", "export", "-o", str(export))
    assert app["client_secret"] not in export.read_text()
    run("connections", "remove", "uk-store", "--yes")
    assert "No connections yet" in run("connections", "list").stdout
    run("connections", "import", str(export))
    assert "Configuration Incomplete" in run("connections", "list").stdout


def test_authorise_waits_for_the_listener(run, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    _add_uk(run, emulator, app, redirect_uri)
    proc = subprocess.Popen(
        [sys.executable, "-m", "amazon_connector", "connections", "authorise", "uk-store", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = None
    for line in proc.stdout:
        if "/apps/authorize/consent?" in line:
            url = line.strip()
        if "Waiting for Amazon's redirect" in line:
            break
    assert url
    approve(url, selling_partner_id=seller_in(app, "UK")["selling_partner_id"])
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Ready" in out


def test_restricted_mode_from_the_shell(run, emulator, apps):
    app = apps["Demo Private App"]
    seller = seller_in(app, "UK")
    out = run(
        "connections", "add", "fbm", "--country", "GB", "--mode", "restricted",
        "--app-id", app["app_id"], "--client-id", app["client_id"], "--environment", emulator.url,
        "--aws-access-key-id", "AKIAIOSFODNN7EXAMPLE", "--aws-role-arn", "arn:aws:iam::123456789012:role/SP",
        env={
            "AMAZON_CONNECTOR_CLIENT_SECRET": app["client_secret"],
            "AMAZON_CONNECTOR_REFRESH_TOKEN": seller["refresh_token"],
        },
    ).stdout  # fmt: skip
    assert "ignores signatures" in out
    other = apps["Demo Private App (restricted)"]
    run(
        "connections", "edit", "fbm", "--retries", "4",
        env={
            "AMAZON_CONNECTOR_CLIENT_SECRET": other["client_secret"],
            "AMAZON_CONNECTOR_REFRESH_TOKEN": seller_in(other, "UK")["refresh_token"],
        },
    )  # fmt: skip
    shown = json.loads(run("connections", "show", "fbm", "--json").stdout)
    assert shown["aws_access_key_id"] == "set"
    assert "Ready" in run("connections", "authorise", "fbm").stdout
    result = run("connections", "test", "fbm", "--json", expect=1)
    report = json.loads(result.stdout)
    rdt = next(s for s in report["steps"] if s["name"] == "Restricted Data Token")
    assert rdt["outcome"] == "fail"
    assert "Direct-to-Consumer Shipping" in rdt["detail"]
    assert seller["refresh_token"] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("connections", "add", "x", "--country", "Atlantis"), "not an Amazon marketplace"),
        (("connections", "add", "x", "--client-id", "nope"), "Client Identifier"),
        (("connections", "add", "x", "--retries", "11"), "retries"),
        (("connections", "show", "nope"), "No connection is named 'nope'"),
        (("connections", "remove", "nope", "--yes"), "No connection is named"),
        (("connections", "authorise", "nope"), "No connection is named"),
    ],
)
def test_bad_input_gets_a_clear_error(run, args, message):
    result = run(*args, expect=1)
    assert message in result.stderr


def test_incomplete_connection_is_saved_and_explained(run):
    out = run("connections", "add", "later", "--country", "FR").stdout
    assert "Configuration Incomplete: missing App ID, Client Identifier, Client Secret" in out
    err = run("connections", "authorise", "later", expect=1).stderr
    assert "connections edit later" in err


def test_sandbox_credentials(run, emulator):
    data = json.loads(run("sandbox", "credentials", "--url", emulator.url).stdout)
    assert {
        "app_id",
        "client_id",
        "client_secret",
        "redirect_uris",
        "draft",
        "restricted_roles",
        "sellers",
    } <= set(data[0])
    missing = run("sandbox", "credentials", "--port", "1", expect=1)
    assert "127.0.0.1:1" in missing.stderr


def test_marketplaces_and_key(run):
    out = run("marketplaces").stdout
    assert "A1F83G8C2ARO7P" in out
    assert "UK/GB" in out
    assert len(run("key", "generate").stdout.strip()) == 44


def test_store_files_are_private(run, home):
    run("connections", "add", "x")
    assert Path(home / "connections.db").stat().st_mode & 0o777 == 0o600


def test_edit_rename_draft_clear_and_advanced(run):
    run("connections", "add", "x", "--country", "UK", "--draft", "--retries", "5", "--no-pagination")
    run("connections", "edit", "x", "--name", "y", "--published", "--clear", "country", "--retry-wait", "30")
    shown = json.loads(run("connections", "show", "y", "--json").stdout)
    assert (shown["country"], shown["draft_app"]) == (None, False)
    assert shown["advanced"] == {
        "retries": 5,
        "retry_wait": 30,
        "pagination": False,
        "extended_logging": False,
        "sign_requests": False,
    }
    assert "Country" in shown["status_detail"]
    usage = run("connections", "edit", "y", "--bogus", expect=2)
    assert "No such option" in usage.stderr


def test_list_warns_about_the_secret_age(run, home):
    from datetime import UTC, datetime, timedelta

    from amazon_connector.clock import ManualClock
    from amazon_connector.connections import Connections
    from tests.values import CLIENT_ID, CLIENT_SECRET

    old = ManualClock(datetime.now(UTC) - timedelta(days=175))
    with Connections.open(home=home, clock=old) as connections:
        connections.add("old", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        connections.add("older", country="DE", client_id=CLIENT_ID)  # uses the application's secret
    run("connections", "edit", "older", "--client-secret", CLIENT_SECRET)  # same secret: age unchanged
    out = run("connections", "list").stdout
    assert out.count("ROTATE NOW") == 2
    assert f"Run `amazon-connector secrets rotate --client-id {CLIENT_ID}` now" in out
    run("connections", "edit", "older", "--client-secret", "amzn1.oa2-cs.v1." + "9" * 64)
    assert "ROTATE NOW" not in run("connections", "list").stdout  # one secret for both connections
