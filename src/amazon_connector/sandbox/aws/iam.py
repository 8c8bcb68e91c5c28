"""Legacy AWS credentials: the world's IAM users and the temporary credentials STS issued to them."""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_connector.clock import Clock
from amazon_connector.sandbox.ids import random_token
from amazon_connector.sandbox.world import App, World


@dataclass(frozen=True, slots=True)
class Session:
    """Temporary credentials from AssumeRole: keys, session token, expiry, and the app they act for."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    role_arn: str
    session_name: str
    app: App


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


class Sessions:
    """Temporary credentials issued by the emulator's STS."""

    def __init__(self, world: World, clock: Clock) -> None:
        self.world = world
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def assume_role(self, app: App, role_arn: str, session_name: str, duration: timedelta) -> Session:
        session = Session(
            "ASIA" + _random(string.ascii_uppercase + string.digits, 16),
            _random(string.ascii_letters + string.digits + "+/", 40),
            random_token("FwoGZXIvYXdzE", 300),
            (self.clock.now() + duration).replace(microsecond=0),
            role_arn,
            session_name,
            app,
        )
        with self._lock:
            self._sessions[session.access_key_id] = session
        return session

    def get(self, access_key_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(access_key_id)
