"""The local emulator of Amazon: Login with Amazon, Seller Central's consent page and SP-API.

``world`` holds the demo apps and sellers, ``app.create_app`` builds the ASGI app, ``server`` runs it,
``robot`` plays the seller on the consent page.
"""
