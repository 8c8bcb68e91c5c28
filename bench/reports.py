"""(d) Report documents: a gzip TSV listings report of each size (uncompressed MB), made by the emulator
in its own process, read three ways, each in a process of its own so its peak RSS is its own:

* amazon-connector: ``Reports.export`` to Parquet (getReportDocument, the streamed download, gunzip,
  the charset, pyarrow's streaming CSV reader, the Parquet writer);
* python-amazon-sp-api: ``get_report_document(download=True)`` (download, gunzip, decode into memory),
  none of amazon-connector's modules loaded (the credentials come on its standard input);
* ``gzip -dc`` of the same bytes, already on disk, to /dev/null: the floor.

Each is measured once the emulator writes no document (asking for a report starts Amazon's automatic
settlement reports too, which take a core while they are made).

Speed is uncompressed MB per second of wall time (the work only, not the interpreter's start); CPU is the
process's CPU time (all threads, its start included: a figure the machine's load does not change); memory
is the process's peak RSS (``VmHWM``). Run with ``make bench`` (part d), or
``.venv/bin/python bench/run.py --only reports --report-sizes 20,100,1000``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COUNTRY = "US"  # UTF-8 documents: every reader decodes the same way
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ROW_BYTES = 158
"""About how long a US listings row is."""
SCALE = 100.0
"""The emulator's clock runs this much faster: a report is processed in a fraction of a second."""
MB = 1e6
SIZES = "20,100,1000"
"""Issue 13's sizes, and a small one: where the peer, which holds the document in memory, peaks lower."""


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    seconds: float
    """Wall time of the work."""
    cpu: float
    """CPU time of the whole process (every thread, the interpreter's start included)."""
    peak_rss: float


def peak_rss() -> float:
    """This process's peak RSS in MB since it started its program (``VmHWM``; ``ru_maxrss`` would count
    the pages of the process it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status")


def child(name: str, command: list[str], given: dict[str, str] | None = None) -> tuple[Run, dict[str, Any]]:
    """Run ``command``, which prints a JSON line with its ``seconds`` and ``peak_rss``; its run and output.
    ``given`` goes to its standard input as JSON (credentials: never on a command line)."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # noqa: S603
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(json.dumps(given or {}).encode())
    process.stdin.close()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{command[:4]} failed ({status})")
    found = json.loads(output)
    return Run(name, found["seconds"], usage.ru_utime + usage.ru_stime, found["peak_rss"]), found


def measure_floor(raw: str) -> dict[str, Any]:
    """``gzip -dc`` to /dev/null, started from this (small) process so that its peak RSS is its own."""
    started = time.perf_counter()
    process = subprocess.Popen(["gzip", "-dc", raw], stdout=subprocess.DEVNULL)  # noqa: S603, S607
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit("gzip -dc failed")
    return {"seconds": time.perf_counter() - started, "peak_rss": usage.ru_maxrss / 1024}


def uncompressed_size(raw: Path) -> int:
    inflater, size = zlib.decompressobj(31), 0
    with raw.open("rb") as file:
        while piece := file.read(1 << 20):
            size += len(inflater.decompress(piece))
    return size


def bench_size(megabytes: int, work: Path) -> list[tuple[Run, int]]:
    """One emulator making a document of about ``megabytes`` MB; each reader's run."""
    from common import connect, emulator  # bench/common.py: this script's directory is on the path

    from amazon_connector import Connections
    from amazon_connector.clock import ScaledClock
    from amazon_connector.data.reports import Reports

    rows = int(megabytes * MB / ROW_BYTES)
    home = work / f"home-{megabytes}"
    with emulator(scale=SCALE, report_rows=rows) as emu:
        with Connections.open(home=home, clock=ScaledClock(SCALE)) as connections:
            reports = Reports(connect(connections, emu, COUNTRY))
            print(f"    {megabytes} MB: the emulator makes the document…", flush=True)
            job = reports.get(reports.request_for(LISTINGS), reuse=False, timeout=SCALE * 1800)
            raw = work / f"{megabytes}.tsv.gz"
            reports.download(job, raw, raw=True)
        size = uncompressed_size(raw)
        print(f"    {megabytes} MB: waiting until the emulator has written its other documents…", flush=True)
        emu.wait_until_idle()
        script = [sys.executable, str(HERE / "reports.py"), "--measure"]
        ours, _ = child(
            "amazon-connector → Parquet",
            [
                *script,
                "ours",
                "--home",
                str(home),
                "--report",
                job.report_id,
                "--out",
                str(work / f"{megabytes}.parquet"),
            ],
        )
        seller = emu.seller_in(COUNTRY)
        peer, found = child(
            "python-amazon-sp-api download=True",
            [*script, "peer", "--url", emu.url],
            {
                "document_id": str(job.document_id),
                "client_id": emu.app["client_id"],
                "client_secret": emu.app["client_secret"],
                "refresh_token": seller["refresh_token"],
            },
        )
        assert found["characters"] > 0
        floor, _ = child("gzip -dc (the floor)", [*script, "floor", "--raw", str(raw)])
        runs = [(ours, size), (peer, size), (floor, size)]
        print(
            f"    {megabytes} MB: {size / MB:.0f} MB uncompressed, {raw.stat().st_size / MB:.0f} MB gzip, {rows:,} rows"
        )
    return runs


def bench_reports(sizes: list[int]) -> None:
    print("(d) report documents (gzip TSV, US listings) read by each client; MB are uncompressed")
    results: list[tuple[int, Run, int]] = []
    with tempfile.TemporaryDirectory() as work:
        for megabytes in sizes:
            results += [(megabytes, run, size) for run, size in bench_size(megabytes, Path(work))]
    print(f"    {'size':>6}  {'reader':<38} {'seconds':>8} {'MB/s':>7} {'CPU s':>7} {'peak RSS MB':>12}")
    for megabytes, run, size in results:
        print(
            f"    {megabytes:>4} MB  {run.name:<38} {run.seconds:>8.2f} {size / MB / run.seconds:>7.0f} "
            f"{run.cpu:>7.2f} {run.peak_rss:>12.0f}"
        )
    print(
        "    targets: amazon-connector ≥ 100 MB/s, < 200 MB peak RSS at 1 GB, ≤ the peer's peak at every size"
    )


# --- the measured processes --------------------------------------------------------------------------


def measure_ours(home: str, report_id: str, out: str) -> dict[str, Any]:
    from amazon_connector import Connections
    from amazon_connector.data.arrow import pyarrow
    from amazon_connector.data.reports import Reports

    pyarrow()  # its modules loaded before the clock starts, as the peer's are
    with Connections.open(home=home, rate_limits="memory") as connections:  # the parent ran on another clock
        reports = Reports(connections.get("bench"))
        job = reports.jobs.find(connections.get("bench").record.id, report_id)
        assert job is not None
        started = time.perf_counter()
        exported = reports.export(job, out)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "rows": sum(exported.counts.values()), "peak_rss": peak_rss()}


def measure_peer(url: str, given: dict[str, str]) -> dict[str, Any]:
    """The peer alone in its process (none of amazon-connector's modules loaded): its own peak."""
    from sp_api.api import Reports as PeerReports
    from sp_api.auth import AccessTokenClient
    from sp_api.base import Marketplaces

    credentials = {"lwa_app_id": given["client_id"], "lwa_client_secret": given["client_secret"]}
    local = {"scheme": "http://", "host": url.removeprefix("http://")}
    token_client = type("LocalTokenClient", (AccessTokenClient,), local)
    client = PeerReports(
        Marketplaces.US,
        auth_token_client_class=token_client,
        refresh_token=given["refresh_token"],
        credentials=credentials,
    )
    client.endpoint = url
    started = time.perf_counter()
    answer = client.get_report_document(given["document_id"], download=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "characters": len(answer.payload["document"]), "peak_rss": peak_rss()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default=SIZES, help=f"document sizes in MB (default {SIZES})")
    parser.add_argument("--measure", choices=("ours", "peer", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--raw", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure == "ours":
        print(json.dumps(measure_ours(args.home, args.report, args.out)))
    elif args.measure == "peer":
        print(json.dumps(measure_peer(args.url, json.load(sys.stdin))))
    elif args.measure == "floor":
        print(json.dumps(measure_floor(args.raw)))
    else:
        bench_reports([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
