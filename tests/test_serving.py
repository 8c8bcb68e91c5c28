"""Serving in the foreground (`ui`, `sandbox serve`) until SIGINT or SIGTERM, also where SIGINT was
inherited ignored; a second signal, or the deadline, ends a process whose stop hangs."""

import re
import signal

import httpx
import pytest

from tests.conftest import ended_by, python_process

HUNG_STOP = """
import threading
from amazon_connector.serving import until_stop_signal, wait_for_stop_signal
with until_stop_signal(deadline={deadline}):
    try:
        print("serving", flush=True)
        wait_for_stop_signal()
    finally:
        print("stopping", flush=True)
        threading.Event().wait()  # a server whose stop never ends
"""

STOPS = pytest.mark.parametrize(
    ("stop", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-as-a-background-job", "sigterm"],
)


@STOPS
def test_a_second_signal_ends_a_stop_that_hangs_at_once(stop, sigint_ignored):
    code = HUNG_STOP.format(deadline=600)
    with python_process("-c", code, sigint_ignored=sigint_ignored) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "serving\n"
        process.send_signal(stop)
        assert process.stdout.readline() == "stopping\n"
        ended_by(process, stop)
    assert process.returncode == -stop


def test_the_deadline_ends_a_stop_that_hangs():
    with python_process("-c", HUNG_STOP.format(deadline=1)) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "serving\n"
        _, errors = ended_by(process, signal.SIGTERM)
    assert process.returncode == 1
    assert errors == "Not stopped 1 s after the signal: ending the process.\n"


@STOPS
def test_the_emulator_serves_until_interrupted_or_terminated(stop, sigint_ignored):
    serve = ("-m", "amazon_connector", "sandbox", "serve", "--port", "0")
    with python_process(*serve, sigint_ignored=sigint_ignored) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:(\d+))$", line.strip())
        assert url is not None, line
        assert url.group(2) != "0"
        assert f"--url {url.group(1)}" in process.stdout.readline()
        assert httpx.get(f"{url.group(1)}/_sandbox/credentials", trust_env=False, timeout=10).json()
        rest, errors = ended_by(process, stop)
    assert process.returncode == 0, errors
    assert rest == "Stopped.\n"
    assert errors == ""
