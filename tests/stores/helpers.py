"""What a store made by an old version must hold once this version has upgraded it (contents.py)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from amazon_connector.connections import Connections, Status
from amazon_connector.connections.model import OLD_SECRET_LIFETIME
from amazon_connector.connections.store import StoreRateBackend
from tests.stores import contents as c

HERE = Path(__file__).parent
KEY = base64.urlsafe_b64decode(c.KEY)

COMMITS = {
    "e3b996d": "0001",
    "23122f5": "0002",
    "ff1cfda": "0002",
    "f3862d0": "0002",
    "8932751": "0003",
    "7919bdf": "0003",
    "221cef4": "0004",
}
"""Each fixture's commit and the schema revision its shape is (see tests/stores/README.md)."""


def manifest(commit: str) -> dict[str, object]:
    """What the commit's code had: applications, state fingerprints, rate buckets (and their shape)."""
    return dict(json.loads((HERE / f"{commit}.json").read_text()))


def sqlite_copy(commit: str, directory: Path) -> Path:
    """A private copy of the commit's SQLite store (the original stays as made)."""
    target = directory / f"{commit}.db"
    shutil.copyfile(HERE / f"{commit}.db", target)
    target.chmod(0o600)
    return target


def postgres_dump(commit: str) -> str:
    return (HERE / f"{commit}.sql").read_text()


def check_contents(connections: Connections, commit: str) -> None:
    """Every connection and secret the old version stored reads back (decrypted) through this one."""
    made = manifest(commit)
    store = connections.store
    assert connections.names() == sorted(name for name, _ in c.CONNECTIONS)
    assert connections.unreadable() == []
    for name, _ in c.CONNECTIONS:
        assert connections.get(name).record.created_at == c.added_at(name)
    uk = connections.get("shop-uk").settings
    assert (uk.secret("refresh_token"), uk.secret("aws_secret_access_key")) == (c.REFRESH_UK, c.AWS_SECRET)
    assert (uk.aws_access_key_id, uk.aws_role_arn, uk.selling_partner_id) == (
        c.AWS_KEY,
        c.ROLE_ARN,
        "A2EXAMPLE12345",
    )
    assert (uk.mode, uk.advanced.retries, uk.advanced.pagination) == ("restricted", 5, False)
    for name in ("shop-uk", "shop-de", "shop-fr"):
        record = connections.get(name).record
        assert record.settings.secret("client_secret") == c.SECRET_NEW
        application = record.application
        assert application is not None
        assert application.secret_issued_at == c.added_at("shop-de")
        assert application.previous(c.added_at("shop-de")) == c.SECRET_OLD
        assert application.previous_expires_at == c.added_at("shop-de") + OLD_SECRET_LIFETIME
    legacy = connections.get("legacy").record
    assert (legacy.settings.secret("client_secret"), legacy.application) == (c.SECRET_LEGACY, None)
    assert legacy.client_secret_set_at == c.added_at("legacy")
    emulated = connections.get("emulated").record
    assert emulated.settings.secret("client_secret") == c.SECRET_B
    assert emulated.application is not None
    assert emulated.application.token_url == f"{c.EMULATOR}/auth/o2/token"
    assert connections.get("draft").status is Status.INCOMPLETE
    assert len(store.applications.all()) == 2
    assert store.tokens.load_token(c.TOKEN_KEY) == (c.TOKEN, c.FAR_FUTURE)
    pending = store.states.consume(c.STATE)
    if made["state fingerprints"]:  # the first store's consent states could not be checked: dropped
        assert pending is not None
        assert (pending.connection_id, pending.fingerprint) == (
            connections.get("shop-uk").record.id,
            c.STATE_FINGERPRINT,
        )
    else:
        assert pending is None
    learned = StoreRateBackend(store).learned(c.BUCKET)
    assert learned == (c.BUCKET_RATE if made["rate buckets"] == "with epochs" else None)


def check_usable(connections: Connections) -> None:
    """The upgraded store takes every kind of change."""
    connections.edit("shop-fr", country="ES", client_secret=c.SECRET_OLD[:-2] + "ff")
    assert connections.get("shop-de").settings.secret("client_secret") == c.SECRET_OLD[:-2] + "ff"
    connections.add("new-one", country="UK", client_id=c.CLIENT_A)
    connections.remove("legacy")
    StoreRateBackend(connections.store).learn(c.BUCKET, 2.0)
    assert StoreRateBackend(connections.store).learned(c.BUCKET) == 2.0


WORKER = textwrap.dedent(
    """
    import base64, sys
    from amazon_connector.connections.store import Store
    print("ready", flush=True)
    sys.stdin.readline()
    store = Store.open(sys.argv[1], home=sys.argv[2], key=base64.urlsafe_b64decode(sys.argv[3]))
    print(store.upgraded_from or "-", len(store.connections.names()), "alembic" in sys.modules, flush=True)
    store.close()
    """
)


def open_at_once(url: str, home: Path, processes: int = 3) -> list[str]:
    """Open the store at ``url`` in several processes at the same moment; what each reported."""
    key = base64.urlsafe_b64encode(KEY).decode()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(home), key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0] * processes
    return sorted(outputs)
