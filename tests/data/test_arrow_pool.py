"""pyarrow's default memory pool as our import chooses it (each case in a fresh interpreter: pyarrow picks
its pool once, as it is imported)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SHOW = (
    "import os; from amazon_connector.data.arrow import pyarrow; pa = pyarrow(); "
    "print(pa.default_memory_pool().backend_name, os.environ.get('ARROW_DEFAULT_MEMORY_POOL'))"
)


def backend(environment: dict[str, str]) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env={**clean, **environment}, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.skipif(sys.platform == "win32", reason="pyarrow's Windows wheels have no jemalloc")
def test_jemalloc_is_the_default_pool_and_the_environment_is_left_as_it_was() -> None:
    assert backend({}) == ["jemalloc", "None"]


def test_a_pool_chosen_in_the_environment_stands() -> None:
    assert backend({"ARROW_DEFAULT_MEMORY_POOL": "system"}) == ["system", "system"]
