"""The same store through a PostgreSQL URL."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from amazon_connector.connections import Connections, Status
from amazon_connector.connections.secretbox import SecretBox
from amazon_connector.connections.store.schema import metadata
from amazon_connector.connections.store.upgrade import alembic_config
from amazon_connector.errors import ConcurrentUpdateError, NewerStoreError
from tests.postgres import new_database
from tests.stores.helpers import COMMITS, KEY, check_contents, check_usable, open_at_once, postgres_dump
from tests.values import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, RESTRICTED


def test_store_on_postgresql(database, home):
    with Connections.open(database, home=home) as connections:
        connections.add(
            "pg-uk",
            country="UK",
            **RESTRICTED,
        )
        c = connections.get("pg-uk")
        assert c.settings.secret("refresh_token") == REFRESH_TOKEN
        assert c.status is Status.NOT_AUTHORISED
        assert c.record.created_at.tzinfo is not None
        connections.edit("pg-uk", country="DE", advanced={"pagination": False})
        assert connections.get("pg-uk").settings.advanced.pagination is False
        assert connections.export()["connections"][0]["country"] == "DE"
        store = connections.store
        expires = store.clock.now() + timedelta(minutes=5)
        store.states.save("state-1", c.record.id, "https://localhost:1/cb", "f" * 64, expires)
        pending = store.states.consume("state-1")
        assert pending is not None
        assert (pending.redirect_uri, pending.expires_at) == ("https://localhost:1/cb", expires)
        assert store.states.consume("state-1") is None
        store.tokens.save_token("key", "subject", "Atza|token", expires)
        assert store.tokens.load_token("key") == ("Atza|token", expires)
        store.tokens.forget_tokens("subject")
        assert store.tokens.load_token("key") is None
        connections.add("pg-fr", country="FR", client_id=CLIENT_ID)
        assert connections.get("pg-fr").settings.secret("client_secret") == CLIENT_SECRET
        (application,) = store.applications.all()
        newer = "amzn1.oa2-cs.v1." + "cd" * 32
        replaced = store.applications.replace_secret(application, newer, old_expires_at=expires)
        assert (replaced.secret(), replaced.previous(store.clock.now())) == (newer, CLIENT_SECRET)
        assert replaced.previous_expires_at == expires
        assert connections.get("pg-uk").settings.secret("client_secret") == newer
        with pytest.raises(ConcurrentUpdateError):
            store.applications.update(application, queue_url="https://sqs.eu-west-1.amazonaws.com/1/q")
        connections.remove("pg-uk")
        assert store.applications.all() != []
        connections.remove("pg-fr")
        assert store.applications.all() == []
        assert connections.names() == []


@pytest.fixture
def database(postgres_url, request) -> Iterator[str]:
    """A new, empty database on the test server (dropped afterwards)."""
    with new_database(postgres_url, f"t_{abs(hash(request.node.nodeid)):x}") as url:
        yield url


def load(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql.encode())


@pytest.mark.parametrize("commit", sorted(COMMITS))
def test_a_postgresql_store_made_by_each_released_version_upgrades(commit, database, home):
    load(database, postgres_dump(commit))
    with Connections.open(database, home=home, key=KEY) as connections:
        assert connections.store.upgraded_from == COMMITS[commit]
        check_contents(connections, commit)
        check_usable(connections)
    with Connections.open(database, home=home, key=KEY) as connections:
        assert connections.store.upgraded_from is None
        with connections.store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_processes_opening_an_old_postgresql_store_at_once_upgrade_it_once(database, home):
    load(database, postgres_dump("f3862d0"))
    assert open_at_once(database, home) == ["- 6 False", "- 6 False", "0002 6 True"]


def test_a_postgresql_store_of_a_newer_version_is_refused_untouched(database, home):
    Connections.open(database, home=home).close()
    load(database, "UPDATE alembic_version SET version_num = '9999'; DELETE FROM store_meta")
    with pytest.raises(NewerStoreError, match="schema 9999"):
        Connections.open(database, home=home)
    engine = create_engine(database)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM store_meta").scalar() == 0  # no key check added
    engine.dispose()


def test_the_migrations_build_the_schema_the_code_reads_on_postgresql(database):
    engine = create_engine(database)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn, SecretBox(KEY)), "head")
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()
