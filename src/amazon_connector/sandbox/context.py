"""The emulator's state for one app instance, and the dependency that hands it to route handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from amazon_connector.clock import Clock
from amazon_connector.sandbox.authorisations import Authorisations
from amazon_connector.sandbox.client_secrets import ClientSecrets
from amazon_connector.sandbox.grants import Grants
from amazon_connector.sandbox.queues import LocalQueues
from amazon_connector.sandbox.usage import UsagePlans
from amazon_connector.sandbox.world import World


@dataclass
class Sandbox:
    """The world plus everything issued since start: consent flow keys, tokens, usage buckets."""

    world: World
    clock: Clock
    authorisations: Authorisations = field(init=False)
    grants: Grants = field(init=False)
    usage: UsagePlans = field(init=False)
    queues: LocalQueues = field(init=False)
    client_secrets: ClientSecrets = field(init=False)

    def __post_init__(self) -> None:
        self.authorisations = Authorisations(self.clock)
        self.grants = Grants(self.world, self.clock)
        self.usage = UsagePlans(self.clock)
        self.queues = LocalQueues(self.clock)
        self.client_secrets = ClientSecrets(self.world, self.clock, self.queues)


def get_sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]
