"""With extended logging on, neither the log nor the database file holds a secret or token in clear."""

import logging
import re

from amazon_connector.sandbox.robot import approve
from tests.conftest import app_settings, seller_in

TOKEN_SHAPES = re.compile(r"(Atza\||Atzr\||Atc\||Atz\.sprdt\||amzn1\.oa2-cs\.v1\.)[A-Za-z0-9_\-]")


def test_logs_and_database_hold_no_secret(connections, emulator, apps, redirect_uri, home, caplog):
    public, private = apps["Demo Public App"], apps["Demo Private App (restricted)"]
    with caplog.at_level(logging.DEBUG, logger="amazon_connector"):
        uk = connections.add(
            "uk",
            country="UK",
            redirect_uri=redirect_uri,
            advanced={"extended_logging": True},
            **app_settings(public, emulator),
        )
        with uk.start_authorisation() as flow:
            approve(flow.url, selling_partner_id=seller_in(public, "UK")["selling_partner_id"])
            flow.wait(10)
        assert connections.get("uk").test().ok
        de = connections.add(
            "de",
            country="DE",
            mode="restricted",
            refresh_token=seller_in(private, "DE")["refresh_token"],
            advanced={"extended_logging": True},
            **app_settings(private, emulator),
        )
        de.verify_refresh_token()
        assert connections.get("de").test().ok
    log = caplog.text
    assert "request POST" in log
    assert "/sellers/v1/marketplaceParticipations" in log
    assert "restrictedDataToken" in log
    secrets = [
        public["client_secret"],
        private["client_secret"],
        seller_in(private, "DE")["refresh_token"],
        connections.get("uk").settings.secret("refresh_token"),
    ]
    raw_db = b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith("connections.db"))
    for secret in secrets:
        assert secret not in log
        assert secret.encode() not in raw_db
    assert not TOKEN_SHAPES.search(log), TOKEN_SHAPES.search(log)
    assert not TOKEN_SHAPES.search(raw_db.decode("latin-1"))
