"""Seller Central: the consent page and its redirects (``consent``), the flow's single-use keys
(``authorisations``) and its HTML pages (``html``, ``templates/``)."""
