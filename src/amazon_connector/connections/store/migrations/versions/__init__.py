"""One file per schema revision, named after its revision ID (``0005_sync_state.py`` is revision 0005)."""
