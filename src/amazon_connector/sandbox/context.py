"""The emulator's state for one app instance, and where handlers find it."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.types import Scope

from amazon_connector.clock import Clock
from amazon_connector.sandbox.aws.iam import Sessions
from amazon_connector.sandbox.aws.queues import LocalQueues
from amazon_connector.sandbox.aws.storage import Documents
from amazon_connector.sandbox.faults import Faults
from amazon_connector.sandbox.grants import Grants
from amazon_connector.sandbox.lwa.client_secrets import ClientSecrets
from amazon_connector.sandbox.sellercentral.authorisations import Authorisations
from amazon_connector.sandbox.spapi.assortment import Assortment
from amazon_connector.sandbox.spapi.contents import FeedResults
from amazon_connector.sandbox.spapi.destinations import Destinations
from amazon_connector.sandbox.spapi.fba_stock import FbaInventory
from amazon_connector.sandbox.spapi.jobs import Jobs
from amazon_connector.sandbox.spapi.listings_store import ListingsStore
from amazon_connector.sandbox.spapi.order_book import OrderBook
from amazon_connector.sandbox.spapi.packages import Packages
from amazon_connector.sandbox.spapi.page_tokens import PageTokens
from amazon_connector.sandbox.spapi.report_documents import ReportContents
from amazon_connector.sandbox.spapi.report_schedules import Schedules
from amazon_connector.sandbox.spapi.usage import UsagePlans
from amazon_connector.sandbox.stats import Stats
from amazon_connector.sandbox.world import World

FIRST_REPORT_ID = 50_000_000_001
FIRST_FEED_ID = 60_000_000_001


@dataclass
class Sandbox:
    """The world plus everything issued or created since start: consent flow keys, tokens, usage
    buckets, orders, listings, FBA inventory, shipped packages, reports, report schedules, feeds,
    documents, destinations, STS sessions; and the faults and stats.
    ``static``: SP-API answers only the models' sandbox examples, as Amazon's sandbox endpoints do."""

    world: World
    clock: Clock
    faults: Faults = field(default_factory=Faults)
    static: bool = False
    report_rows: int | None = None
    """Rows per marketplace of generated report documents (None: a few)."""
    stats: Stats = field(default_factory=Stats)
    authorisations: Authorisations = field(init=False)
    grants: Grants = field(init=False)
    usage: UsagePlans = field(init=False)
    queues: LocalQueues = field(init=False)
    client_secrets: ClientSecrets = field(init=False)
    pages: PageTokens = field(init=False)
    assortment: Assortment = field(init=False)
    listings: ListingsStore = field(init=False)
    orders: OrderBook = field(init=False)
    inventory: FbaInventory = field(init=False)
    packages: Packages = field(init=False)
    documents: Documents = field(init=False)
    reports: Jobs = field(init=False)
    schedules: Schedules = field(init=False)
    feeds: Jobs = field(init=False)
    destinations: Destinations = field(init=False)
    sessions: Sessions = field(init=False)

    def __post_init__(self) -> None:
        self.authorisations = Authorisations(self.clock)
        self.grants = Grants(self.world, self.clock)
        self.usage = UsagePlans(self.clock)
        self.pages = PageTokens(self.clock)
        self.assortment = Assortment(self.world, self.clock.now())
        self.listings = ListingsStore(self.world, self.assortment, self.clock)
        self.orders = OrderBook(self.world, self.clock, self.assortment)
        self.inventory = FbaInventory(self.assortment, self.orders)
        self.packages = Packages()
        self.documents = Documents(self.clock)
        self.reports = Jobs(
            self.clock,
            FIRST_REPORT_ID,
            ReportContents(self.world, self.orders, self.documents, self.report_rows),
        )
        self.schedules = Schedules(self.world, self.clock, self.reports)
        self.reports.due = self.schedules.catch_up
        self.feeds = Jobs(self.clock, FIRST_FEED_ID, FeedResults(self.world, self.documents, self.listings))
        self.destinations = Destinations()
        self.sessions = Sessions(self.world, self.clock)
        self.queues = LocalQueues(self.clock)
        self.client_secrets = ClientSecrets(self.world, self.clock, self.queues)

    def close(self) -> None:
        """Remove what the emulator keeps on disk (its documents)."""
        self.documents.close()

    def records(self) -> dict[str, int]:
        """How many reports, feeds, documents and destinations were created since start."""
        return {
            "reports": len(self.reports.all()),
            "feeds": len(self.feeds.all()),
            "documents": self.documents.count(),
            "destinations": self.destinations.count(),
        }


def sandbox_of(connection: HTTPConnection) -> Sandbox:
    sandbox: Sandbox = connection.app.state.sandbox
    return sandbox


def own_url(scope: Scope) -> str:
    """The emulator's own address as this request reached it (the listening socket's, never the Host
    header's), e.g. ``http://127.0.0.1:8765``; the base of the URLs it hands out."""
    host, port = scope.get("server") or ("127.0.0.1", 80)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
