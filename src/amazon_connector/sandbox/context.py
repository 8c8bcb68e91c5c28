"""The emulator's state for one app instance, and the dependency that hands it to route handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from amazon_connector.clock import Clock
from amazon_connector.sandbox.authorisations import Authorisations
from amazon_connector.sandbox.client_secrets import ClientSecrets
from amazon_connector.sandbox.contents import FeedResults, ReportContents
from amazon_connector.sandbox.destinations import Destinations
from amazon_connector.sandbox.documents import Documents
from amazon_connector.sandbox.faults import Faults
from amazon_connector.sandbox.grants import Grants
from amazon_connector.sandbox.iam import Sessions
from amazon_connector.sandbox.jobs import Jobs
from amazon_connector.sandbox.order_book import OrderBook
from amazon_connector.sandbox.paging import PageTokens
from amazon_connector.sandbox.queues import LocalQueues
from amazon_connector.sandbox.stats import Stats
from amazon_connector.sandbox.usage import UsagePlans
from amazon_connector.sandbox.world import World

FIRST_REPORT_ID = 50_000_000_001
FIRST_FEED_ID = 60_000_000_001


@dataclass
class Sandbox:
    """The world plus everything issued or created since start: consent flow keys, tokens, usage
    buckets, orders, reports, feeds, documents, destinations, STS sessions; and the faults and stats."""

    world: World
    clock: Clock
    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)
    authorisations: Authorisations = field(init=False)
    grants: Grants = field(init=False)
    usage: UsagePlans = field(init=False)
    queues: LocalQueues = field(init=False)
    client_secrets: ClientSecrets = field(init=False)
    pages: PageTokens = field(init=False)
    orders: OrderBook = field(init=False)
    documents: Documents = field(init=False)
    reports: Jobs = field(init=False)
    feeds: Jobs = field(init=False)
    destinations: Destinations = field(init=False)
    sessions: Sessions = field(init=False)

    def __post_init__(self) -> None:
        self.authorisations = Authorisations(self.clock)
        self.grants = Grants(self.world, self.clock)
        self.usage = UsagePlans(self.clock)
        self.pages = PageTokens(self.clock)
        self.orders = OrderBook(self.world, self.clock.now())
        self.documents = Documents(self.clock)
        self.reports = Jobs(
            self.clock, FIRST_REPORT_ID, ReportContents(self.world, self.orders, self.documents)
        )
        self.feeds = Jobs(self.clock, FIRST_FEED_ID, FeedResults(self.world, self.documents))
        self.destinations = Destinations()
        self.sessions = Sessions(self.world, self.clock)
        self.queues = LocalQueues(self.clock)
        self.client_secrets = ClientSecrets(self.world, self.clock, self.queues)

    def records(self) -> dict[str, int]:
        """How many reports, feeds, documents and destinations were created since start."""
        return {
            "reports": len(self.reports.all()),
            "feeds": len(self.feeds.all()),
            "documents": self.documents.count(),
            "destinations": self.destinations.count(),
        }


def get_sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]
