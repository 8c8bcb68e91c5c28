"""The emulator's local message queues: where it delivers the notifications Amazon sends to SQS."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_connector.clock import Clock

ACCOUNT = "000000000000"
SQS_PATH = "/sqs"
"""The service's endpoint: boto3's ``endpoint_url`` is the emulator's URL plus this path."""


def queue_name(client_id: str) -> str:
    """The queue an application's notifications go to."""
    return "notifications-" + client_id.replace(".", "-")


def queue_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}{SQS_PATH}/{ACCOUNT}/{name}"


@dataclass
class _Message:
    message_id: str
    body: str
    visible_at: datetime
    receipt_handle: str | None = None


class LocalQueues:
    """Named queues of messages; a received message stays invisible for its visibility timeout (on the
    emulator's clock) until it is deleted."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._queues: dict[str, list[_Message]] = {}
        self._lock = threading.Lock()

    def create(self, name: str) -> None:
        with self._lock:
            self._queues.setdefault(name, [])

    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._queues

    def send(self, name: str, body: str) -> None:
        with self._lock:
            self._queues.setdefault(name, []).append(_Message(str(uuid.uuid4()), body, self.clock.now()))

    def receive(self, name: str, limit: int, visibility: timedelta) -> list[_Message]:
        now = self.clock.now()
        taken: list[_Message] = []
        with self._lock:
            for message in self._queues.get(name, []):
                if len(taken) == limit:
                    break
                if message.visible_at <= now:
                    message.visible_at = now + visibility
                    message.receipt_handle = secrets.token_urlsafe(48)
                    taken.append(
                        _Message(message.message_id, message.body, message.visible_at, message.receipt_handle)
                    )
        return taken

    def delete(self, name: str, receipt_handle: str) -> bool:
        with self._lock:
            queue = self._queues.get(name, [])
            for message in queue:
                if message.receipt_handle == receipt_handle:
                    queue.remove(message)
                    return True
        return False

    def count(self, name: str) -> tuple[int, int]:
        """(visible, in flight) messages."""
        now = self.clock.now()
        with self._lock:
            queue = self._queues.get(name, [])
            visible = sum(1 for m in queue if m.visible_at <= now)
            return visible, len(queue) - visible
