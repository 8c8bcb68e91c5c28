"""The connection dialog as a local web page (`amazon-connector ui`)."""

from amazon_connector.web.app import create_app
from amazon_connector.web.server import DEFAULT_PORT, RunningUi, start_ui

__all__ = ["DEFAULT_PORT", "RunningUi", "create_app", "start_ui"]
