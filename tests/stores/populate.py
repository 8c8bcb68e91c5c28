"""Fill a store with contents.py using an OLD version's own code (run by make.py in its checkout).

Usage: python populate.py OLD_SRC DATABASE_URL MANIFEST
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import runpy
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, sys.argv[1])
contents: dict[str, Any] = runpy.run_path(str(Path(__file__).with_name("contents.py")))

from amazon_connector.clock import ManualClock  # noqa: E402 (the old version's code)
from amazon_connector.connections import Connections  # noqa: E402

clock = ManualClock(contents["START"])
key = base64.urlsafe_b64decode(contents["KEY"])
connections: Any = Connections.open(sys.argv[2], home=tempfile.mkdtemp(), key=key, clock=clock)
store = connections.store
ids = {}
for index, (name, settings) in enumerate(contents["CONNECTIONS"]):
    if index:
        clock.advance(contents["STEP"].total_seconds())
    ids[name] = connections.add(name, **settings).record.id
state = [contents["STATE"], ids["shop-uk"], contents["STATE_REDIRECT"]]
if "fingerprint" in inspect.signature(store.save_state).parameters:
    state.append(contents["STATE_FINGERPRINT"])
store.save_state(*state, contents["FAR_FUTURE"])
subject = hashlib.sha256(contents["REFRESH_UK"].encode()).hexdigest()
store.save_token(contents["TOKEN_KEY"], subject, contents["TOKEN"], contents["FAR_FUTURE"])
buckets = None
try:
    from amazon_connector.connections.rate_store import StoreRateBackend  # type: ignore[import-not-found]
except ImportError:
    pass
else:
    backend = StoreRateBackend(store)
    backend.learn(contents["BUCKET"], contents["BUCKET_RATE"])
    buckets = "with epochs" if hasattr(backend, "update") else "first shape"
connections.close()
manifest = {
    "applications": hasattr(store, "replace_secret"),
    "state fingerprints": len(state) == 4,
    "rate buckets": buckets,
}
Path(sys.argv[3]).write_text(json.dumps(manifest, indent=2) + "\n")
