"""The command-line tool, run as a user runs it, against the emulator over real HTTP."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amazon_connector.sandbox.robot import approve
from tests.conftest import seller_in


def _add_uk(cli, emulator, app, redirect_uri):
    return cli(
        "connections", "add", "uk-store", "--country", "UK",
        "--app-id", app["app_id"], "--client-id", app["client_id"],
        "--redirect-uri", redirect_uri, "--environment", emulator.url,
        extra_env={"AMAZON_CONNECTOR_CLIENT_SECRET": app["client_secret"]},
    )  # fmt: skip


def test_add_authorise_test_logout(cli, emulator, apps, redirect_uri, tmp_path):
    app = apps["Demo Public App"]
    out = _add_uk(cli, emulator, app, redirect_uri).stdout
    assert "Not authorised" in out
    shown = cli("connections", "show", "uk-store", "--json").stdout
    assert app["client_secret"] not in shown
    assert json.loads(shown)["client_secret"] == "set"

    started = cli("connections", "authorise", "uk-store", "--no-browser", "--no-wait").stdout
    url = re.search(r"(http://127\.0\.0\.1:\d+/apps/authorize/consent\?\S+)", started)
    assert url, started
    landed = approve(
        url.group(1), selling_partner_id=seller_in(app, "UK")["selling_partner_id"], follow=False
    )
    done = cli("connections", "authorize", "uk-store", "--complete", landed).stdout
    assert "authorised" in done
    assert "Ready" in done

    tested = cli("connections", "test", "uk-store").stdout
    assert "✓ Token exchange" in tested
    assert "✓ Country" in tested
    assert "Connection works" in tested
    listed = cli("connections", "list").stdout
    assert "uk-store" in listed
    assert "Ready" in listed

    out = cli("connections", "logout", "uk-store").stdout
    assert "Configuration Incomplete" in out
    failed = cli("connections", "test", "uk-store", expect=1).stdout
    assert "✗ Settings" in failed

    export = tmp_path / "export.json"
    cli("connections", "export", "-o", str(export))
    assert app["client_secret"] not in export.read_text()
    cli("connections", "remove", "uk-store", "--yes")
    assert "No connections yet" in cli("connections", "list").stdout
    cli("connections", "import", str(export))
    assert "Configuration Incomplete" in cli("connections", "list").stdout


def test_authorise_waits_for_the_listener(cli, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    _add_uk(cli, emulator, app, redirect_uri)
    proc = subprocess.Popen(
        [sys.executable, "-m", "amazon_connector", "connections", "authorise", "uk-store", "--no-browser"],
        env=cli.env,
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


def test_restricted_mode_from_the_shell(cli, emulator, apps):
    app = apps["Demo Private App"]
    seller = seller_in(app, "UK")
    out = cli(
        "connections", "add", "fbm", "--country", "GB", "--mode", "restricted",
        "--app-id", app["app_id"], "--client-id", app["client_id"], "--environment", emulator.url,
        "--aws-access-key-id", "AKIAIOSFODNN7EXAMPLE", "--aws-role-arn", "arn:aws:iam::123456789012:role/SP",
        extra_env={
            "AMAZON_CONNECTOR_CLIENT_SECRET": app["client_secret"],
            "AMAZON_CONNECTOR_REFRESH_TOKEN": seller["refresh_token"],
        },
    ).stdout  # fmt: skip
    assert "ignores signatures" in out
    other = apps["Demo Private App (restricted)"]
    cli(
        "connections", "edit", "fbm", "--retries", "4",
        extra_env={
            "AMAZON_CONNECTOR_CLIENT_SECRET": other["client_secret"],
            "AMAZON_CONNECTOR_REFRESH_TOKEN": seller_in(other, "UK")["refresh_token"],
        },
    )  # fmt: skip
    shown = json.loads(cli("connections", "show", "fbm", "--json").stdout)
    assert shown["aws_access_key_id"] == "set"
    assert "Ready" in cli("connections", "authorise", "fbm").stdout
    result = cli("connections", "test", "fbm", "--json", expect=1)
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
def test_bad_input_gets_a_clear_error(cli, args, message):
    result = cli(*args, expect=1)
    assert message in result.stderr


def test_incomplete_connection_is_saved_and_explained(cli):
    out = cli("connections", "add", "later", "--country", "FR").stdout
    assert "Configuration Incomplete: missing App ID, Client Identifier, Client Secret" in out
    err = cli("connections", "authorise", "later", expect=1).stderr
    assert "connections edit later" in err


def test_sandbox_credentials(cli, emulator):
    data = json.loads(cli("sandbox", "credentials", "--url", emulator.url).stdout)
    assert {
        "app_id",
        "client_id",
        "client_secret",
        "redirect_uris",
        "draft",
        "restricted_roles",
        "sellers",
    } <= set(data[0])
    missing = cli("sandbox", "credentials", "--port", "1", expect=1)
    assert "127.0.0.1:1" in missing.stderr


def test_marketplaces_and_key(cli):
    out = cli("marketplaces").stdout
    assert "A1F83G8C2ARO7P" in out
    assert "UK/GB" in out
    assert len(cli("key", "generate").stdout.strip()) == 44


def test_store_files_are_private(cli, home):
    cli("connections", "add", "x")
    assert Path(home / "connections.db").stat().st_mode & 0o777 == 0o600


def test_demo_runs_the_main_job_without_input(cli):
    out = cli("demo").stdout
    assert "Demo finished: every connection tested OK." in out
    assert "Restricted Data Token" in out


def test_edit_rename_draft_clear_and_advanced(cli):
    cli("connections", "add", "x", "--country", "UK", "--draft", "--retries", "5", "--no-pagination")
    cli("connections", "edit", "x", "--name", "y", "--published", "--clear", "country", "--retry-wait", "30")
    shown = json.loads(cli("connections", "show", "y", "--json").stdout)
    assert (shown["country"], shown["draft_app"]) == (None, False)
    assert shown["advanced"] == {
        "retries": 5,
        "retry_wait": 30,
        "pagination": False,
        "extended_logging": False,
        "sign_requests": False,
    }
    assert "Country" in shown["status_detail"]
    usage = cli("connections", "edit", "y", "--bogus", expect=2)
    assert "No such option" in usage.stderr


def test_list_warns_about_the_secret_age(cli, home):
    from datetime import UTC, datetime, timedelta

    from amazon_connector.clock import ManualClock
    from amazon_connector.connections import Connections
    from tests.values import CLIENT_ID, CLIENT_SECRET

    old = ManualClock(datetime.now(UTC) - timedelta(days=175))
    with Connections.open(home=home, clock=old) as connections:
        connections.add("old", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        connections.add("older", country="DE", client_id=CLIENT_ID)  # uses the application's secret
    cli("connections", "edit", "older", "--client-secret", CLIENT_SECRET)  # same secret: age unchanged
    out = cli("connections", "list").stdout
    assert out.count("ROTATE NOW") == 2
    assert f"Run `amazon-connector secrets rotate --client-id {CLIENT_ID}` now" in out
    cli("connections", "edit", "older", "--client-secret", "amzn1.oa2-cs.v1." + "9" * 64)
    assert "ROTATE NOW" not in cli("connections", "list").stdout  # one secret for both connections
