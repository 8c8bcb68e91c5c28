"""Login with Amazon over real HTTP: the three grants, errors turned into advice, the token cache."""

import asyncio
import threading
from datetime import timedelta

import pytest

from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.auth.lwa import LwaClient, LwaCredentials, client_credentials_grant, refresh_grant
from amazon_connector.auth.token_cache import TokenCache
from amazon_connector.clock import SYSTEM_CLOCK, ManualClock
from amazon_connector.errors import InvalidClientError, InvalidGrantError, InvalidScopeError, TransportError
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import arun, run
from amazon_connector.http.effects import Sleep
from tests.conftest import free_port, seller_in


def client(emulator, app, clock=None, secret=None) -> LwaClient:
    creds = LwaCredentials(f"{emulator.url}/auth/o2/token", app["client_id"], secret or app["client_secret"])
    return LwaClient(creds, HttpClients(), clock=clock or ManualClock())


def test_refresh_token_grant(emulator, apps):
    app = apps["Demo Private App"]
    token = run(client(emulator, app).exchange(refresh_grant(seller_in(app, "UK")["refresh_token"])))
    assert token.value.startswith("Atza|")
    assert token.expires_at - ManualClock().now() == timedelta(seconds=3600)


def test_client_credentials_grant(emulator, apps):
    token = run(
        client(emulator, apps["Demo Private App"]).exchange(
            client_credentials_grant("sellingpartnerapi::client_credential:rotation")
        )
    )
    assert token.value.startswith("Atc|")
    with pytest.raises(InvalidScopeError):
        run(
            client(emulator, apps["Demo Private App"]).exchange(
                client_credentials_grant("sellingpartnerapi::orders")
            )
        )


def test_invalid_grant_on_a_refresh_token_says_authorise_again(emulator, apps):
    app = apps["Demo Private App"]
    other = apps["Demo Private App (restricted)"]
    with pytest.raises(InvalidGrantError) as info:  # a token that belongs to another client ID
        run(client(emulator, app).exchange(refresh_grant(seller_in(other, "UK")["refresh_token"])))
    err = info.value
    assert (err.error, err.status) == ("invalid_grant", 400)
    assert "refresh_token" in err.description
    assert "Authorise the connection again" in str(err.hint)
    assert not err.retriable


def test_invalid_client_says_rotate(emulator, apps):
    app = apps["Demo Private App"]
    with pytest.raises(InvalidClientError) as info:
        run(
            client(emulator, app, secret="amzn1.oa2-cs.v1." + "1" * 64).exchange(
                refresh_grant(seller_in(app, "UK")["refresh_token"])
            )
        )
    assert info.value.status == 401
    assert "180 days" in str(info.value.hint)


def test_nothing_listening_is_a_transport_error():
    creds = LwaCredentials(f"http://127.0.0.1:{free_port()}/auth/o2/token", "id", "secret")
    with pytest.raises(TransportError, match="Login with Amazon"):
        run(LwaClient(creds, HttpClients()).exchange(refresh_grant("Atzr|x")))


def _authenticator(emulator, app, cache):
    """Tokens stamped with their expiry on the clock the cache judges them by (else one already stale
    would send a caller arriving after the first fetch to fetch again)."""
    return Authenticator(client(emulator, app, cache.clock), cache, seller_in(app, "UK")["refresh_token"])


def test_token_cached_until_shortly_before_expiry(emulator, apps):
    clock = ManualClock()
    cache = TokenCache(clock=clock)
    auth = Authenticator(client(emulator, apps["Demo Private App"], clock), cache, None)
    auth.refresh_token = seller_in(apps["Demo Private App"], "UK")["refresh_token"]
    first = auth.access_token()
    clock.advance(3600 - 61)
    assert auth.access_token() == first
    clock.advance(2)
    assert auth.access_token() != first
    assert cache.fetches == 2


def test_many_threads_and_tasks_share_one_fetch(emulator, apps):
    cache = TokenCache()
    auth = _authenticator(emulator, apps["Demo Private App"], cache)
    barrier = threading.Barrier(41)
    seen: list[str] = []

    def worker() -> None:
        barrier.wait()
        seen.append(auth.access_token().value)

    async def tasks() -> list[str]:
        async def one() -> str:
            return (await arun(auth.token())).value

        return list(await asyncio.gather(*(one() for _ in range(40))))

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for t in threads:
        t.start()
    barrier.wait()
    seen.extend(asyncio.run(tasks()))
    for t in threads:
        t.join()
    assert len(seen) == 80
    assert len(set(seen)) == 1
    assert cache.fetches == 1


def test_concurrent_failure_reaches_every_caller_once(emulator, apps):
    app = apps["Demo Private App"]
    cache = TokenCache()
    auth = Authenticator(client(emulator, app), cache, "Atzr|" + "n" * 100)

    async def run() -> list[BaseException | object]:
        return list(await asyncio.gather(*(arun(auth.token()) for _ in range(20)), return_exceptions=True))

    results = asyncio.run(run())
    assert all(isinstance(r, InvalidGrantError) for r in results)
    assert cache.fetches == 0


def test_a_cancelled_leader_does_not_fail_its_waiters(emulator, apps):
    cache = TokenCache()
    app = apps["Demo Private App"]
    auth = _authenticator(emulator, app, cache)

    async def run() -> list[str]:
        def slow_fetch():
            yield Sleep(SYSTEM_CLOCK.monotonic() + 3600, SYSTEM_CLOCK)  # cancelled before it ends
            raise AssertionError("never reached")

        leader = asyncio.create_task(arun(cache.get("k", "s", slow_fetch)))
        await asyncio.sleep(0)
        grant = refresh_grant(seller_in(app, "UK")["refresh_token"])
        waiters = [
            asyncio.create_task(arun(cache.get("k", "s", lambda: auth.lwa.exchange(grant)))) for _ in range(5)
        ]
        await asyncio.sleep(0)
        leader.cancel()
        return [t.value for t in await asyncio.gather(*waiters)]

    values = asyncio.run(run())
    assert len(set(values)) == 1
    assert cache.fetches == 1
