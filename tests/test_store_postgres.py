"""The same store through a PostgreSQL URL."""

from datetime import timedelta

import pytest

from amazon_connector.connections import Connections, Status
from amazon_connector.errors import ConcurrentUpdateError
from tests.values import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, RESTRICTED


def test_store_on_postgresql(postgres_url, home):
    with Connections.open(postgres_url, home=home) as connections:
        for c in connections.list():
            connections.remove(c.name)
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
        store.save_state("state-1", c.record.id, "https://localhost:1/cb", "f" * 64, expires)
        pending = store.consume_state("state-1")
        assert pending is not None
        assert (pending.redirect_uri, pending.expires_at) == ("https://localhost:1/cb", expires)
        assert store.consume_state("state-1") is None
        store.save_token("key", "subject", "Atza|token", expires)
        assert store.load_token("key") == ("Atza|token", expires)
        store.forget_tokens("subject")
        assert store.load_token("key") is None
        connections.add("pg-fr", country="FR", client_id=CLIENT_ID)
        assert connections.get("pg-fr").settings.secret("client_secret") == CLIENT_SECRET
        (application,) = store.applications()
        newer = "amzn1.oa2-cs.v1." + "cd" * 32
        replaced = store.replace_secret(application, newer, old_expires_at=expires)
        assert (replaced.secret(), replaced.previous(store.clock.now())) == (newer, CLIENT_SECRET)
        assert replaced.previous_expires_at == expires
        assert connections.get("pg-uk").settings.secret("client_secret") == newer
        with pytest.raises(ConcurrentUpdateError):
            store.update_application(application, queue_url="https://sqs.eu-west-1.amazonaws.com/1/q")
        connections.remove("pg-uk")
        assert store.applications() != []
        connections.remove("pg-fr")
        assert store.applications() == []
        assert connections.names() == []
