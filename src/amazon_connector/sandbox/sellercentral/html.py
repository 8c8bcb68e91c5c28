"""Seller Central's HTML pages, rendered from the Jinja2 templates, and the browser redirects."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse

HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

_templates = Environment(
    loader=PackageLoader("amazon_connector.sandbox.sellercentral", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        _templates.get_template(template).render(**context), status_code=status, headers=HEADERS
    )


def error_page(code: str, message: str) -> HTMLResponse:
    """The consent error page (HTTP 400); the code is in the element ``#error-code``."""
    return page("error.html", 400, code=code, message=message)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=302, headers=HEADERS)
