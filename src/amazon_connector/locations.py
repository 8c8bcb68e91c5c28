"""Where things are kept, as the environment may say: the data directory, the store's URL, the key."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "AMAZON_CONNECTOR_HOME"
DATABASE_ENV = "AMAZON_CONNECTOR_DATABASE_URL"
KEY_ENV = "AMAZON_CONNECTOR_KEY"
KEY_FILE_ENV = "AMAZON_CONNECTOR_KEY_FILE"


def default_home() -> Path:
    """$AMAZON_CONNECTOR_HOME, else the user's data directory."""
    import platformdirs

    return Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("amazon-connector"))
