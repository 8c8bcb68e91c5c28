"""A throwaway PostgreSQL server for the SQL destination tests (as tests/test_store_postgres.py starts one)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.postgres import URL_ENV, postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server(free_port()) as url:
        if url is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is not installed and ${URL_ENV} is not set; .ci/run installs it")
            pytest.skip("PostgreSQL is not installed here")
        yield url
