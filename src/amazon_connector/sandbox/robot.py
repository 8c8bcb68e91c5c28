"""The consent robot: plays the seller in a browser on the consent page, for the demo and for tests.

It reads the page's form as a browser would, signs in as a seller, clicks Confirm or Cancel and follows
every redirect with a real GET: through the app's Log-in URI and on to its redirect URI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from amazon_connector.errors import AuthorisationError

MAX_REDIRECTS = 10


class ConsentPageError(AuthorisationError):
    """Seller Central showed an error page; ``code`` is its error code (e.g. MD5101)."""

    def __init__(self, code: str, message: str, url: str) -> None:
        super().__init__(f"The consent page refused: {code}: {message}", hint=f"Page: {url}")
        self.code = code
        self.url = url


class ConsentPage(HTMLParser):
    """What a browser sees on a Seller Central page: the consent form, or an error, or the cancellation."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.sellers: list[str] = []
        self.buttons: list[str] = []
        self.cancelled = False
        self.texts: dict[str, str] = {}
        self._in_seller_select = False
        self._capture: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._in_seller_select = a.get("name") == "selling_partner_id"
        elif tag == "option" and self._in_seller_select:
            self.sellers.append(a.get("value", ""))
        elif tag == "button" and a.get("name") == "action":
            self.buttons.append(a.get("value", ""))
        element_id = a.get("id")
        if element_id == "cancelled":
            self.cancelled = True
        elif element_id in ("error-code", "error-message"):
            self._capture = element_id
            self.texts[element_id] = ""

    def handle_endtag(self, tag: str) -> None:
        self._capture = None
        if tag == "select":
            self._in_seller_select = False

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self.texts[self._capture] += data

    @property
    def error_code(self) -> str | None:
        code = self.texts.get("error-code")
        return code.strip() if code is not None else None


def _check(response: httpx.Response) -> ConsentPage:
    """The parsed page; raises ConsentPageError when it is Seller Central's error page."""
    page = ConsentPage(response.text)
    if page.error_code is not None:
        raise ConsentPageError(
            page.error_code, page.texts.get("error-message", "").strip(), str(response.url)
        )
    return page


@contextmanager
def _browser(client: httpx.Client | None, verify: bool | str) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with httpx.Client(verify=verify, timeout=10.0, trust_env=False) as own:  # loopback: no proxies
        yield own


def _follow(browser: httpx.Client, response: httpx.Response, follow: bool) -> httpx.Response | str:
    """Follow redirects; with ``follow`` False, stop before the redirect that carries the code."""
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect:
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if not follow and "spapi_oauth_code" in parse_qs(urlsplit(location).query):
            return location
        response = browser.get(location, follow_redirects=False)
    raise AuthorisationError(f"More than {MAX_REDIRECTS} redirects after the consent page.")


def _submit(
    consent_url: str,
    action: str,
    *,
    selling_partner_id: str | None,
    client: httpx.Client | None,
    verify: bool | str,
    follow: bool,
) -> httpx.Response | str:
    with _browser(client, verify) as browser:
        response = browser.get(consent_url, follow_redirects=False)
        page = _check(response)
        if page.action is None or action not in page.buttons:
            raise AuthorisationError(f"The page at {consent_url} has no consent form with a {action} button.")
        seller = selling_partner_id or (page.sellers[0] if page.sellers else "")
        if seller not in page.sellers:
            raise AuthorisationError(
                f"{seller or 'A seller'} is not among the sellers on the consent page: {', '.join(page.sellers)}."
            )
        data = {**page.hidden, "selling_partner_id": seller, "action": action}
        posted = browser.post(urljoin(str(response.url), page.action), data=data, follow_redirects=False)
        landed = _follow(browser, posted, follow)
        if isinstance(landed, httpx.Response):
            _check(landed)
        return landed


def approve(
    consent_url: str,
    *,
    selling_partner_id: str | None = None,
    client: httpx.Client | None = None,
    verify: bool | str = True,
    follow: bool = True,
) -> str:
    """Sign in as the seller (default: the first listed), click Confirm and follow the redirects.

    Returns the address the browser landed on: the app's redirect URI with ``state``,
    ``selling_partner_id`` and ``spapi_oauth_code``. With ``follow`` False the redirect URI is not
    requested (nobody listens there), and the address is returned as the browser would show it.
    ``verify`` is passed to httpx (False for a listener with a self-signed certificate).
    Raises ConsentPageError (with the ``code``) if Seller Central shows an error page.
    """
    landed = _submit(
        consent_url,
        "confirm",
        selling_partner_id=selling_partner_id,
        client=client,
        verify=verify,
        follow=follow,
    )
    return landed if isinstance(landed, str) else str(landed.url)


def cancel(consent_url: str, *, client: httpx.Client | None = None, verify: bool | str = True) -> str:
    """Click Cancel on the consent page; returns the address of the cancellation page."""
    landed = _submit(
        consent_url, "cancel", selling_partner_id=None, client=client, verify=verify, follow=True
    )
    assert isinstance(landed, httpx.Response)
    if not ConsentPage(landed.text).cancelled:
        raise AuthorisationError("Cancel did not lead to the cancellation page.")
    return str(landed.url)
