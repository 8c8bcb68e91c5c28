"""Stores made by every released version open, upgrade once and keep every connection and secret; a
store from a newer version is refused untouched; the schema the migrations build is the one the code
reads."""

import base64
import hashlib
import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from amazon_connector.connections import Connections
from amazon_connector.connections.secretbox import SecretBox, generate_key
from amazon_connector.connections.store.schema import metadata
from amazon_connector.connections.store.upgrade import MIGRATIONS, alembic_config
from amazon_connector.connections.store.version import head, known_revisions
from amazon_connector.errors import NewerStoreError
from tests.stores.contents import CONNECTIONS
from tests.stores.helpers import COMMITS, KEY, check_contents, check_usable, open_at_once, sqlite_copy


@pytest.mark.parametrize("commit", sorted(COMMITS))
def test_a_store_made_by_each_released_version_upgrades_and_keeps_everything(commit, tmp_path, home):
    path = sqlite_copy(commit, tmp_path)
    with Connections.open(f"sqlite:///{path}", home=home, key=KEY) as connections:
        assert connections.store.upgraded_from == COMMITS[commit]
        check_contents(connections, commit)
        check_usable(connections)
    with Connections.open(f"sqlite:///{path}", home=home, key=KEY) as connections:
        assert connections.store.upgraded_from is None
        engine = connections.store.engine
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    backups = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".bak")
    if COMMITS[commit] != head():  # the store as it was, kept before its schema changed
        assert backups == [f"{commit}.db.before-upgrade-from-{COMMITS[commit]}.bak"]
        copy = sqlite3.connect(tmp_path / backups[0])
        assert copy.execute("SELECT count(*) FROM connections").fetchone() == (len(CONNECTIONS),)
        copy.close()
    else:
        assert backups == []


def test_processes_opening_an_old_store_at_once_upgrade_it_once(tmp_path, home):
    path = sqlite_copy("e3b996d", tmp_path)
    reports = open_at_once(f"sqlite:///{path}", home)
    assert reports == ["- 6 False", "- 6 False", "0001 6 True"]
    assert len([p for p in tmp_path.iterdir() if p.suffix == ".bak"]) == 1


def test_an_up_to_date_store_opens_without_loading_alembic(tmp_path, home):
    Connections.open(home=home, key=KEY).close()
    reports = open_at_once(f"sqlite:///{home / 'connections.db'}", home, processes=1)
    assert reports == ["- 0 False"]


def test_a_store_of_a_newer_version_is_refused_untouched(home):
    Connections.open(home=home).close()
    path = home / "connections.db"
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in home.iterdir())
    with pytest.raises(NewerStoreError) as info:
        Connections.open(home=home)
    assert str(path) in info.value.message
    assert "schema 9999" in info.value.message
    assert "untouched" in info.value.message
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in home.iterdir())) == before


def test_the_migrations_build_the_schema_the_code_reads(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn, SecretBox(base64.urlsafe_b64decode(generate_key()))), "head")
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_the_revisions_are_the_files_in_order():
    script = ScriptDirectory(str(MIGRATIONS / ""), version_locations=[str(MIGRATIONS / "versions")])
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == known_revisions()
    assert script.get_current_head() == head()
    for revision in script.walk_revisions():
        assert revision.path is not None
        assert revision.path.rsplit("/", 1)[1].startswith(f"{revision.revision}_")
