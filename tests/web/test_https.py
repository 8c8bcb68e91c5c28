"""The page off loopback: HTTPS (a given or a generated certificate, its fingerprint), Secure cookies,
plain HTTP only when asked, and a limit on login attempts per client address."""

from __future__ import annotations

import hashlib
import re
import signal
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from typer.testing import CliRunner

from amazon_connector.auth.tls import TlsFiles, fingerprint, self_signed_certificate
from amazon_connector.cli.app import app as cli
from amazon_connector.clock import ManualClock
from amazon_connector.connections import Connections
from amazon_connector.errors import ConfigurationError
from amazon_connector.web.server import RunningUi, page_tls, start_ui
from tests.conftest import ended_by, python_process

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TEST_NET = "192.0.2.1"  # a documentation address: decided on, never bound


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return self_signed_certificate(tmp_path / "own", "page", ["127.0.0.1"])


def names_of(certfile: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(certfile.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(name.value) for name in san}


def test_off_loopback_a_certificate_is_made_in_the_data_directory(home: Path) -> None:
    made = page_tls(home, TEST_NET, certfile=None, keyfile=None, insecure=False)
    assert made is not None
    assert made.certfile.parent == home / "tls"
    for path in (made.certfile, made.keyfile):
        assert path.stat().st_mode & 0o777 == 0o600
    assert {TEST_NET, "localhost", "127.0.0.1", "::1"} <= names_of(made.certfile)
    der = ssl.PEM_cert_to_DER_cert(made.certfile.read_text())
    assert fingerprint(made.certfile) == hashlib.sha256(der).digest().hex(":").upper()
    assert page_tls(home, TEST_NET, certfile=None, keyfile=None, insecure=False) == made
    assert made.certfile.read_bytes() == (home / "tls" / "page.pem").read_bytes()  # kept, not remade
    before = fingerprint(made.certfile)
    page_tls(home, "192.0.2.2", certfile=None, keyfile=None, insecure=False)
    assert "192.0.2.2" in names_of(made.certfile)  # another address: a certificate that names it
    assert fingerprint(made.certfile) != before


def test_plain_http_only_on_loopback_or_when_asked(home: Path, tls: TlsFiles) -> None:
    assert page_tls(home, "127.0.0.1", certfile=None, keyfile=None, insecure=False) is None
    assert page_tls(home, TEST_NET, certfile=None, keyfile=None, insecure=True) is None
    assert not (home / "tls").exists()
    given = page_tls(home, TEST_NET, certfile=tls.certfile, keyfile=tls.keyfile, insecure=False)
    assert given == tls
    with pytest.raises(ConfigurationError, match="together"):
        page_tls(home, TEST_NET, certfile=tls.certfile, keyfile=None, insecure=False)
    with pytest.raises(ConfigurationError, match="--insecure serves plain HTTP"):
        page_tls(home, TEST_NET, certfile=tls.certfile, keyfile=tls.keyfile, insecure=True)
    with pytest.raises(ConfigurationError, match="not a PEM certificate and its private key"):
        page_tls(home, TEST_NET, certfile=tls.keyfile, keyfile=tls.keyfile, insecure=False)
    with pytest.raises(ConfigurationError, match="Cannot read the certificate"):
        page_tls(home, TEST_NET, certfile=home / "none.pem", keyfile=tls.keyfile, insecure=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))


@pytest.fixture
def secure_ui(home: Path, tls: TlsFiles, clock: ManualClock) -> Iterator[RunningUi]:
    with (
        Connections.open(home=home, clock=clock) as connections,
        start_ui(connections, port=0, login=True, certfile=tls.certfile, keyfile=tls.keyfile) as running,
    ):
        yield running


def https_client(ui: RunningUi, tls: TlsFiles, *, source: str = "127.0.0.1") -> httpx.Client:
    trusted = ssl.create_default_context(cafile=str(tls.certfile))
    transport = httpx.HTTPTransport(verify=trusted, local_address=source)
    return httpx.Client(base_url=ui.url, transport=transport, trust_env=False, timeout=10.0)


def test_the_page_over_https_sets_secure_cookies(secure_ui: RunningUi, tls: TlsFiles) -> None:
    assert secure_ui.url.startswith("https://127.0.0.1:")
    assert secure_ui.fingerprint == fingerprint(tls.certfile)
    with pytest.raises(httpx.TransportError):
        httpx.get(secure_ui.url.replace("https:", "http:") + "login", trust_env=False, timeout=5)
    with https_client(secure_ui, tls) as client:
        page = client.get("/login")
        assert "; secure" in page.headers["set-cookie"].lower()
        csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        logged_in = client.post("/login", data={"csrf_token": csrf, "token": secure_ui.login_token})
        assert logged_in.status_code == 303
        cookie = logged_in.headers["set-cookie"].lower()
        assert "ac_login=" in cookie
        assert "; secure" in cookie
        assert "; httponly" in cookie
        assert client.get("/").status_code == 200


def test_login_attempts_are_limited_per_address(
    secure_ui: RunningUi, tls: TlsFiles, clock: ManualClock
) -> None:
    with https_client(secure_ui, tls) as client, https_client(secure_ui, tls, source="127.0.0.2") as other:
        csrf = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        for _ in range(5):
            assert client.post("/login", data={"csrf_token": csrf, "token": "guess"}).status_code == 401
        clock.advance(20)
        refused = client.post("/login", data={"csrf_token": csrf, "token": secure_ui.login_token})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "40"
        assert "try again in 40 s" in refused.text
        assert "ac_login" not in refused.headers.get("set-cookie", "")

        other_csrf = CSRF.search(other.get("/login").text).group(1)  # type: ignore[union-attr]
        assert other.post("/login", data={"csrf_token": other_csrf, "token": "guess"}).status_code == 401

        clock.advance(40)
        right = client.post("/login", data={"csrf_token": csrf, "token": secure_ui.login_token})
        assert right.status_code == 303


def test_the_ui_command_serves_https_with_a_given_certificate(home: Path, tls: TlsFiles) -> None:
    command = [
        "ui", "--no-browser", "--port", "0", "--cert", str(tls.certfile), "--key", str(tls.keyfile),
    ]  # fmt: skip
    with python_process("-m", "amazon_connector", *command) as process:
        assert process.stdout is not None
        url = re.search(r"https://127\.0\.0\.1:\d+/", process.stdout.readline())
        assert url is not None
        assert "SHA-256 fingerprint" in process.stdout.readline()
        assert process.stdout.readline().strip() == fingerprint(tls.certfile)
        trusted = ssl.create_default_context(cafile=str(tls.certfile))
        assert "Connections" in httpx.get(url.group(0), verify=trusted, trust_env=False, timeout=10).text
        _, errors = ended_by(process, signal.SIGINT)
    assert process.returncode == 0, errors


def test_the_ui_command_refuses_half_a_certificate(tls: TlsFiles) -> None:
    result = CliRunner().invoke(cli, ["ui", "--no-browser", "--cert", str(tls.certfile)])
    assert result.exit_code == 1
    assert "Error: Give the certificate and its key together (--cert and --key)." in result.stderr
