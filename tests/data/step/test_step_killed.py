"""`step run` killed with SIGKILL midway and run again: no record is sent twice (the emulator's request
counts prove it), the records answered before the kill are not sent again, and one that may have been
sent without its answer being kept lands in ErrorData instead of being sent blind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from amazon_connector.clock import ScaledClock
from amazon_connector.data import read_records
from amazon_connector.data.results import ERRORS
from amazon_connector.data.step import OUTPUT, load_step, run_step
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.data.step.test_step_emulator import PATCH, prices_file

RECORDS = 40


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    """On real time: patchListingsItem's usage plan (5 a second) makes the run last long enough to kill."""
    with running_emulator(demo_world(), clock=ScaledClock(1)) as running:
        yield running


def test_a_killed_step_sends_no_record_twice(emulator, seller, connections, home, tmp_path):
    prices_file(tmp_path, emulator, seller, count=RECORDS, bad_line=None)
    variables = {"SELLER": seller["selling_partner_id"], "CONNECTION": "uk"}
    child = subprocess.Popen(
        [
            sys.executable, "-m", "amazon_connector", "step", "run", str(tmp_path / "prices.toml"), "--quiet",
            *(a for k, v in variables.items() for a in ("--var", f"{k}={v}")),
        ],
        env={**os.environ, "AMAZON_CONNECTOR_HOME": str(home)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while emulator.sandbox.stats.count(PATCH) < 8 and child.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)  # real time: the child runs on its own
        child.send_signal(signal.SIGKILL)
    finally:
        _, errors = child.communicate(timeout=30)
    assert b"Traceback" not in errors
    assert child.returncode == -signal.SIGKILL
    before = emulator.sandbox.stats.count(PATCH)
    assert 8 <= before < RECORDS
    assert not (tmp_path / "prices.output.jsonl").exists()

    result = run_step(load_step(tmp_path / "prices.toml"), connections, variables=variables)
    sent = emulator.sandbox.stats.count(PATCH)
    assert result.records == RECORDS
    assert result.resumed_skipped >= 1
    unsure = [e for e in read_records(result.errors, ERRORS) if e["code"] == "MAY_HAVE_BEEN_SENT"]
    assert all("may have been carried out" in e["message"] for e in unsure)
    # every record was sent exactly once, except those that may have been sent: never a second time
    answered = {r["line"] for r in read_records(result.output, OUTPUT)}
    assert len(answered) + len(unsure) == RECORDS
    assert before >= result.resumed_skipped
    assert sent - before == RECORDS - result.resumed_skipped - len(unsure)
