"""The local emulator of Amazon: Login with Amazon, Seller Central's consent page, STS and SP-API.

``world`` holds the demo apps and sellers, ``app.create_app`` builds the ASGI app, ``server`` runs it,
``robot`` plays the seller on the consent page. One module per SP-API API (``sellers``, ``tokens``,
``orders``, ``reports``, ``feeds``, ``notifications``) and per concern (``access``, ``faults``,
``traffic``, ``stats``, ``sigv4``, ``sts``, ``documents``/``s3``, ``jobs``, ``order_book``).
"""
