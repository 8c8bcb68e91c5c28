"""HTTP and the plans' effects: the transports, the pooled clients, effect values and their two drivers.

Everything that blocks is an effect a plan yields (see effects.py); ``run`` and ``arun`` (drivers.py)
carry effects out in a thread or on an event loop. Nothing here knows SP-API, tokens or the store.
"""
