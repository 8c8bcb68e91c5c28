import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap

import pytest

from amazon_connector.connections import Connections, Status, Store
from amazon_connector.connections.secretbox import generate_key
from amazon_connector.errors import (
    ConcurrentUpdateError,
    ConfigurationError,
    ConnectionNotFoundError,
    DuplicateConnectionError,
    SecretKeyError,
    StoreError,
)
from tests.values import (
    APP_ID,
    AWS_KEY,
    AWS_SECRET,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    RESTRICTED,
    ROLE_ARN,
)


def test_add_get_list_and_unique_names(connections):
    c = connections.add(
        "uk-store", country="UK", app_id=APP_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert c.status is Status.NOT_AUTHORISED
    assert connections.get("uk-store").settings.secret("client_secret") == CLIENT_SECRET
    connections.add("draft-only")
    assert [x.name for x in connections.list()] == ["draft-only", "uk-store"]
    assert connections.get("draft-only").status is Status.INCOMPLETE
    with pytest.raises(DuplicateConnectionError, match="exists already"):
        connections.add("uk-store")
    with pytest.raises(ConnectionNotFoundError) as info:
        connections.get("nope")
    assert "draft-only, uk-store" in str(info.value.hint)


def test_files_are_private_and_secrets_encrypted(connections, home):
    connections.add(
        "eu",
        country="DE",
        **RESTRICTED,
        aws_secret_access_key=AWS_SECRET,
        aws_access_key_id=AWS_KEY,
        aws_role_arn=ROLE_ARN,
    )
    for name in ("connections.db", "secret.key"):
        assert stat.S_IMODE(os.stat(home / name).st_mode) == 0o600
    raw = b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith("connections.db"))
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, AWS_SECRET, AWS_KEY, ROLE_ARN, "Atzr|", "amzn1.oa2-cs"):
        assert secret.encode() not in raw


def test_a_different_key_is_refused(home, monkeypatch):
    Connections.open(home=home).close()
    monkeypatch.setenv("AMAZON_CONNECTOR_KEY", generate_key())
    with pytest.raises(SecretKeyError, match="different encryption key"):
        Connections.open(home=home)
    monkeypatch.setenv("AMAZON_CONNECTOR_KEY", "too-short")
    with pytest.raises(SecretKeyError, match="not valid"):
        Connections.open(home=home)


def test_key_from_environment(home, monkeypatch):
    monkeypatch.setenv("AMAZON_CONNECTOR_KEY", generate_key())
    with Connections.open(home=home) as c:
        c.add("x", client_secret=CLIENT_SECRET)
    assert not (home / "secret.key").exists()


def test_edit_validates_and_keeps_the_rest(connections):
    connections.add("uk", country="UK", client_secret=CLIENT_SECRET)
    edited = connections.edit("uk", country="FR", advanced={"retries": 7})
    assert edited.settings.country == "FR"
    assert edited.settings.advanced.retries == 7
    assert edited.settings.advanced.retry_wait == 3
    assert edited.settings.secret("client_secret") == CLIENT_SECRET
    with pytest.raises(ConfigurationError, match=r"advanced\.retries"):
        connections.edit("uk", advanced={"retries": 11})
    with pytest.raises(ConfigurationError, match="Unknown setting"):
        connections.edit("uk", colour="blue")
    assert connections.get("uk").settings.advanced.retries == 7


def test_every_field_at_fault_gets_its_own_message(connections):
    connections.add("uk", country="UK")
    with pytest.raises(ConfigurationError) as info:
        connections.edit("uk", app_id="nope", client_secret="leaked-value", advanced={"retries": 11})
    fields = info.value.fields
    assert set(fields) == {"app_id", "client_secret", "advanced.retries"}
    assert "App ID 'nope'" in fields["app_id"]
    assert "leaked-value" not in str(info.value)
    assert info.value.field == "app_id"


def test_the_lists_extended_logging_covers_every_connection(connections):
    assert connections.extended_logging() is False
    connections.add("uk")
    connections.add("de", advanced={"extended_logging": True})
    assert connections.extended_logging() is None
    assert [c.name for c in connections.set_extended_logging(True)] == ["uk"]
    assert connections.extended_logging() is True
    assert connections.get("de").settings.advanced.retries == 3
    connections.set_extended_logging(False)
    assert connections.extended_logging() is False


def test_concurrent_edit_is_detected(connections):
    connections.add("uk", country="UK")
    stale = connections.store.connections.get("uk")
    connections.edit("uk", country="DE")
    with pytest.raises(ConcurrentUpdateError):
        connections.store.connections.save(stale, stale.settings)
    assert connections.get("uk").settings.country == "DE"


def test_export_has_no_credentials_and_imports_back(connections, tmp_path):
    connections.add(
        "uk",
        country="UK",
        **RESTRICTED,
        advanced={"retries": 5},
    )
    document = connections.export()
    text = json.dumps(document)
    assert CLIENT_SECRET not in text
    assert REFRESH_TOKEN not in text
    with pytest.raises(DuplicateConnectionError, match="nothing was imported"):
        connections.import_(document)
    with Connections.open(home=tmp_path / "other") as other:
        (imported,) = other.import_(document)
        assert imported.status is Status.INCOMPLETE
        assert imported.settings.advanced.retries == 5
        assert imported.settings.client_id == CLIENT_ID
        assert other.import_(document, skip_existing=True) == []
    twice = {**document, "connections": document["connections"] * 2}
    with pytest.raises(DuplicateConnectionError, match="more than once"):
        connections.import_(twice)
    with pytest.raises(ConfigurationError, match="not an amazon-connector export"):
        connections.import_({"connections": "x"})


def test_bad_database_url_is_a_clear_error(home):
    with pytest.raises(StoreError, match="URL is not valid"):
        Store.open("not a url", home=home)
    with pytest.raises(StoreError, match="Cannot use the mysql database") as info:
        Store.open("mysql://user:hunter2@127.0.0.1:1/db", home=home)
    assert "hunter2" not in str(info.value)


def test_two_processes_writing_at_once_leave_the_store_intact(home):
    script = textwrap.dedent(
        """
        import sys
        from amazon_connector.connections import Connections
        prefix = sys.argv[1]
        with Connections.open() as c:
            for i in range(40):
                c.add(f"{prefix}-{i}", country="UK", client_secret="amzn1.oa2-cs.v1." + "cd" * 32)
                c.edit(f"{prefix}-{i}", country="DE")
        """
    )
    env = {**os.environ, "AMAZON_CONNECTOR_HOME": str(home)}
    Connections.open(home=home).close()  # create the key file first
    procs = [subprocess.Popen([sys.executable, "-c", script, p], env=env) for p in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Connections.open(home=home) as c:
        names = c.names()
        assert len(names) == 80
        assert {x.settings.country for x in c.list()} == {"DE"}
    db = sqlite3.connect(home / "connections.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()


def test_connections_with_one_client_id_share_its_secret(connections):
    connections.add("uk", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    de = connections.add("de", country="DE", client_id=CLIENT_ID)
    assert de.settings.secret("client_secret") == CLIENT_SECRET
    assert de.record.application is not None
    assert de.record.client_secret_set_at == de.record.application.secret_issued_at
    newer = "amzn1.oa2-cs.v1." + "cd" * 32
    connections.edit("de", client_secret=newer)
    uk = connections.get("uk")
    assert uk.settings.secret("client_secret") == newer
    assert uk.record.application is not None
    assert uk.record.application.previous_secret is not None
    assert uk.record.application.previous_secret.get_secret_value() == CLIENT_SECRET
    connections.edit("uk", country="FR")  # other edits leave the shared secret alone
    assert connections.get("de").settings.secret("client_secret") == newer
    connections.add("sandbox", country="UK", client_id=CLIENT_ID, environment="sandbox")
    assert connections.get("sandbox").settings.secret("client_secret") == newer  # the same LWA endpoint
    emulated = connections.add(
        "emulated", country="UK", client_id=CLIENT_ID, environment="http://127.0.0.1:9"
    )
    assert emulated.settings.client_secret is None  # another Login with Amazon, another application
    assert len(connections.store.applications.all()) == 2
    connections.edit("sandbox", client_id="amzn1.application-oa2-client." + "e" * 32)  # now its own app
    assert len(connections.store.applications.all()) == 3
    for name in ("uk", "de", "sandbox"):
        connections.remove(name)
    assert [a.token_url for a in connections.store.applications.all()] == ["http://127.0.0.1:9/auth/o2/token"]
