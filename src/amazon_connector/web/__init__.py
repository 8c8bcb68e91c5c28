"""The connection dialog as a local web page (`amazon-connector ui`): ``server.start_ui`` serves
``app.create_app``. It needs the [ui] extra, checked here before any of its modules loads."""

from amazon_connector.extras import require

require("ui", "The connection page")
