"""A store that is damaged, foreign, partly unreadable or carelessly configured: clear messages naming
the file and what to do, never a traceback; what can be read stays usable."""

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import warnings

import pytest

from amazon_connector.connections import Connections
from amazon_connector.connections.secretbox import generate_key
from amazon_connector.connections.store.version import head
from amazon_connector.errors import (
    DuplicateConnectionError,
    SecretKeyError,
    StoreConflictError,
    StoreWarning,
    UnreadableConnectionError,
)
from tests.values import CLIENT_ID, CLIENT_SECRET, RESTRICTED


def stored_settings(home, name):
    db = sqlite3.connect(home / "connections.db")
    (text,) = db.execute("SELECT settings FROM connections WHERE name = ?", (name,)).fetchone()
    db.close()
    return json.loads(text)


def write_settings(home, name, text):
    db = sqlite3.connect(home / "connections.db")
    with db:
        db.execute("UPDATE connections SET settings = ? WHERE name = ?", (text, name))
    db.close()


def with_unknown_fields(home, name):
    """As a newer version would leave it: a setting and an Advanced setting this version lacks."""
    settings = stored_settings(home, name)
    settings["colour"] = "blue"
    settings["advanced"]["turbo"] = {"level": 3}
    write_settings(home, name, json.dumps(settings))


# --- settings this version does not know, connections it cannot read -----------------------------


def test_unknown_settings_are_kept_and_ignored_with_a_warning(connections, home):
    connections.add("uk", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with_unknown_fields(home, "uk")
    with pytest.warns(StoreWarning, match=r"'uk' .* does not know \(advanced\.turbo, colour\)"):
        (uk,) = connections.list()
    assert uk.record.unknown_settings == {"colour": "blue", "advanced": {"turbo": {"level": 3}}}
    assert uk.settings.secret("client_secret") == CLIENT_SECRET
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)
        connections.edit("uk", country="DE", advanced={"retries": 6})
    kept = stored_settings(home, "uk")
    assert (kept["colour"], kept["advanced"]["turbo"], kept["advanced"]["retries"]) == (
        "blue",
        {"level": 3},
        6,
    )
    assert kept["country"] == "DE"


def test_a_connection_that_cannot_be_read_is_reported_alone_and_can_be_removed(connections, home):
    connections.add("good", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    connections.add("newer", country="DE", client_id=CLIENT_ID)
    connections.add("mangled", country="FR")
    settings = stored_settings(home, "newer")
    write_settings(home, "newer", json.dumps({**settings, "mode": "warp-drive"}))
    write_settings(home, "mangled", "{not json")
    assert [c.name for c in connections.list()] == ["good"]
    assert connections.names() == ["good", "mangled", "newer"]
    problems = {p.name: p.reason for p in connections.unreadable()}
    assert problems["mangled"] == "its settings are not valid JSON"
    assert problems["newer"].startswith("mode: ")
    with pytest.raises(UnreadableConnectionError) as info:
        connections.get("newer")
    assert "cannot be read" in info.value.message
    assert str(home / "connections.db") in info.value.message
    assert "connections remove newer" in str(info.value.hint)
    connections.remove("good")
    assert len(connections.store.applications.all()) == 1  # 'newer' may still use it: kept
    connections.remove("newer")
    connections.remove("mangled")
    assert connections.names() == []
    assert connections.store.applications.all() == []


def test_the_command_line_lists_shows_and_removes_around_an_unreadable_connection(run, home):
    run("connections", "add", "good", "--country", "UK")
    run("connections", "add", "newer", "--country", "DE")
    run("connections", "add", "later", "--country", "IT")
    write_settings(home, "newer", json.dumps({**stored_settings(home, "newer"), "mode": "warp-drive"}))
    with_unknown_fields(home, "later")
    listed = run("connections", "list")
    assert "good" in listed.stdout
    assert "later" in listed.stdout
    assert "Warning: Connection 'newer' in" in listed.stderr
    assert "Warning: Connection 'later' in" in listed.stderr
    assert "(advanced.turbo, colour)" in listed.stderr
    assert len(json.loads(run("connections", "list", "--json").stdout)) == 2
    shown = run("connections", "show", "newer", expect=1)
    assert "Error: Connection 'newer'" in shown.stderr
    assert "cannot be read" in shown.stderr
    run("connections", "remove", "newer", "--yes")
    assert run("connections", "list", "--json").stderr.count("Warning: Connection") == 1  # 'later' only


# --- damaged and foreign stores --------------------------------------------------------------------


def filled_store(home):
    with Connections.open(home=home) as c:
        for i in range(40):
            c.add(f"shop-{i}", country="UK", **RESTRICTED, selling_partner_id="A2EXAMPLE12345")
    return home / "connections.db"


def assert_clear_store_error(result, path, *phrases):
    assert "Traceback" not in result.stderr
    assert "[SQL:" not in result.stderr
    assert "parameters" not in result.stderr.lower()
    assert f"Error: The store {path}" in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_a_damaged_page_is_a_clear_error(cli, home):
    path = filled_store(home)
    data = bytearray(path.read_bytes())
    data[8192:] = b"\xa5" * (len(data) - 8192)  # every page after the second: noise
    path.write_bytes(bytes(data))
    failed = cli("connections", "list", expect=1)
    assert_clear_store_error(failed, path, "is damaged", "Restore", "connections export")


def test_a_truncated_store_is_a_clear_error(run, home):
    path = filled_store(home)
    with path.open("r+b") as f:
        f.truncate(6000)
    failed = run("connections", "add", "one-more", expect=1)
    assert_clear_store_error(failed, path, "is damaged", "Restore")
    assert "database server" not in failed.stderr


def test_an_empty_file_is_not_taken_for_a_new_store(run, home):
    filled_store(home)
    path = home / "connections.db"
    path.write_bytes(b"")
    failed = run("connections", "list", expect=1)
    assert_clear_store_error(failed, path, "is empty (0 bytes)", "Restore")
    assert path.stat().st_size == 0


def test_a_database_of_another_program_is_refused(run, home, tmp_path):
    other = tmp_path / "crm.db"
    db = sqlite3.connect(other)
    with db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.close()
    before = other.read_bytes()
    failed = run("--database", f"sqlite:///{other}", "connections", "list", expect=1)
    assert "Traceback" not in failed.stderr
    assert f"{other} is not an amazon-connector store" in failed.stderr
    assert "customers" in failed.stderr
    assert other.read_bytes() == before
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("shopping list\n" * 100)
    failed = run("--database", f"sqlite:///{not_sqlite}", "connections", "list", expect=1)
    assert_clear_store_error(failed, not_sqlite, "is not an SQLite database")


def test_only_a_taken_name_is_reported_as_a_duplicate(connections, home):
    connections.add("uk")
    db = sqlite3.connect(home / "connections.db")
    with db:
        db.execute(
            "CREATE TRIGGER no_more BEFORE INSERT ON connections BEGIN SELECT RAISE(ABORT, 'no more'); END"
        )
    db.close()
    with pytest.raises(StoreConflictError) as info:
        connections.add("de")
    assert "exists already" not in info.value.message
    assert "refused the change: no more" in info.value.message
    with pytest.raises(DuplicateConnectionError, match="exists already"):
        connections.add("uk")


# --- store check and store backup ------------------------------------------------------------------


def test_store_check_reports_integrity_schema_key_and_contents(run, home):
    run("connections", "add", "uk", "--country", "UK", "--client-id", CLIENT_ID,
        env={"AMAZON_CONNECTOR_CLIENT_SECRET": CLIENT_SECRET})  # fmt: skip
    healthy = run("store", "check").stdout
    for line in (
        "✓ Integrity",
        f"✓ Schema: {head()}, this version's",
        "✓ Key: matches",
        "✓ Connections: 1 readable",
    ):
        assert line in healthy, healthy
    other_key = run("store", "check", expect=1, env={"AMAZON_CONNECTOR_KEY": generate_key()}).stdout
    assert "✗ Key: does not match the store" in other_key
    write_settings(home, "uk", "{")
    unreadable = run("store", "check", expect=1).stdout
    assert "✗ Connections: 0 readable; cannot read 'uk'" in unreadable
    path = home / "connections.db"
    with sqlite3.connect(path) as db:  # the page of the connections table (whatever other tables there are)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'connections'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : (root - 1) * size + 100] = b"\xa5" * 100  # its header
    path.write_bytes(bytes(data))
    assert "✗ Integrity" in run("store", "check", expect=1).stdout


WRITER = textwrap.dedent(
    """
    import sys
    from amazon_connector.connections import Connections
    with Connections.open() as c:
        for i in range(60):
            c.add(f"shop-{i}", country="UK")
            print(i, flush=True)
            if i == 20:
                sys.stdin.readline()  # the test copies the store now
    """
)


def test_store_backup_is_a_consistent_copy_while_another_process_writes(run, home, tmp_path):
    Connections.open(home=home).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env={**os.environ, "AMAZON_CONNECTOR_HOME": str(home)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdin is not None
    while writer.stdout.readline().strip() != "20":
        pass
    copy = tmp_path / "copy.db"
    written = run("store", "backup", str(copy)).stdout
    writer.stdin.write("go\n")
    writer.stdin.flush()
    assert writer.wait(timeout=120) == 0
    assert f"Wrote {copy}" in written
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with Connections.open(f"sqlite:///{copy}", home=home) as restored:
        assert len(restored.names()) == 21
    assert "exists already" in run("store", "backup", str(copy), expect=1).stderr
    on_server = run(
        "--database", "postgresql+psycopg://app:hunter2@127.0.0.1/shop", "store", "backup", "x", expect=1
    )
    assert "pg_dump" in on_server.stderr
    assert "hunter2" not in on_server.stderr


# --- the key -------------------------------------------------------------------------------------


def test_a_configured_key_file_that_does_not_exist_is_an_error(home, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "dir" / "secret.key"
    with pytest.raises(SecretKeyError, match="does not exist"):
        Connections.open(home=home, key_file=missing)
    monkeypatch.setenv("AMAZON_CONNECTOR_KEY_FILE", str(missing))
    with pytest.raises(SecretKeyError, match=r"key generate --output"):
        Connections.open(home=home)
    assert not (tmp_path / "nowhere").exists()
    assert not (home / "connections.db").exists()


def test_a_key_is_made_only_for_a_new_store(home):
    Connections.open(home=home).close()
    assert (home / "secret.key").exists()  # first use of the data directory
    (home / "secret.key").unlink()
    with pytest.raises(SecretKeyError, match="is missing, but the store exists"):
        Connections.open(home=home)
    assert not (home / "secret.key").exists()


def test_key_generate_writes_a_new_private_key_file(run, tmp_path, home):
    target = tmp_path / "my.key"
    run("key", "generate", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(target.read_text()) == 44
    assert "exists already" in run("key", "generate", "--output", str(target), expect=1).stderr
    run("--key-file", str(target), "connections", "add", "uk")
    assert not (home / "secret.key").exists()
    assert "is missing, but the store exists" in run("connections", "list", expect=1).stderr


def test_files_readable_by_others_are_warned_about(home):
    Connections.open(home=home).close()
    os.chmod(home, 0o755)  # noqa: S103 (the careless mode under test)
    for name in ("connections.db", "secret.key"):
        os.chmod(home / name, 0o644)
    with pytest.warns(StoreWarning) as caught:
        Connections.open(home=home).close()
    messages = " ".join(str(w.message) for w in caught)
    assert f"data directory {home} is readable by other users (mode 0755); run: chmod 700" in messages
    assert f"store {home / 'connections.db'} is readable by other users" in messages
    assert f"key file {home / 'secret.key'} is readable by other users" in messages
