"""The local emulator of Amazon, grouped by what each part plays:

* ``spapi``: the Selling Partner API, every operation of the catalog through one dispatcher;
* ``lwa``: Login with Amazon's token endpoint;
* ``sellercentral``: Seller Central's consent page;
* ``aws``: STS, SQS and the S3-style document storage.

``world`` holds the demo apps and sellers, ``app.create_app`` builds the ASGI app (Starlette),
``server`` runs it, ``robot`` plays the seller on the consent page. Around every part: ``headers``
(request IDs, rate limits, the clock), ``traffic`` (stats, ``faults``), ``admin`` (``/_sandbox``).
"""

from amazon_connector.extras import require

require("sandbox", "The emulator")
