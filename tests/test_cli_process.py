"""Smoke tests of the command line in its own process: the installed entry point and `python -m`, their
exit codes, and no standard input under CI. The other command-line tests run in-process (`run`)."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_installed_command_runs_the_main_job_under_ci_without_input():
    installed = Path(sys.executable).parent / "amazon-connector"
    done = subprocess.run(
        [str(installed), "demo"],
        env={**os.environ, "CI": "true"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "Demo finished: every connection tested OK." in done.stdout
    assert "Restricted Data Token" in done.stdout
    assert "with buyer data) and" in done.stdout  # orders with their items into files
    assert "OutputData, line 2" in done.stdout  # the step's price and stock patches
    assert "ErrorData, line 6" in done.stdout  # its unknown SKU, refused in a 200 answer


def test_python_m_exits_1_on_an_error_and_2_on_a_usage_mistake(cli):
    failed = cli("connections", "show", "nope", expect=1)
    assert failed.stderr.splitlines()[0] == "Error: No connection is named 'nope'."
    assert failed.stdout == ""
    usage = cli("connections", "edit", "y", "--bogus", expect=2)
    assert "No such option" in usage.stderr
