"""Load test of the web API on loopback: p50/p95/p99 latency of the series and map endpoints.

    python benchmarks/web_load.py --db atlas.duckdb [--requests 5000] [--concurrency 20]
                                  [--workers 1,2]

For each worker count it starts the app (``sanctuary_atlas.web.serve.run``) in a child process
on a free port, warms it (every endpoint/level/measure combination the run asks for, a few times
per worker: the first answer of a (level, measure) builds its arrays), then sends a fixed number
of requests per endpoint with a fixed number in flight from a lean client: raw HTTP/1.1 on
keep-alive asyncio sockets, every request pre-encoded before the clock starts. Requests vary
(random counties, random periods), so most miss the app's answer cache; the share of repeated
requests is printed. A failed or non-200 answer counts as an error.

The client shares the machine's cores with the server, so the CPU each side used is printed
(client CPU as a share of one core), and Apache ``ab`` (if installed) measures the fixed floor
route as a cross-check that the client is not the bottleneck. The target (p95 < 50 ms for series
and map) is reported as PASS or MISS, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from sanctuary_atlas.geography.reference import load_counties

TARGET_P95_MS = 50.0
Params = dict[str, str | list[str]]
Maker = Callable[[random.Random, list[str], list[str]], Params]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    out, (year, month) = [], first
    while (year, month) <= last:
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


SPAN = months((2015, 10), (2019, 9))
SERIES_MEASURES = ["arrests", "arrests_at_large", "arrests_custodial"]
MAP_LEVELS = ["county", "state", "aor"]
MAP_MEASURES = ["arrests", "arrests_at_large", "at_large_share"]


def no_params(rng: random.Random, counties: list[str], _: list[str]) -> Params:
    return {}


def series_params(rng: random.Random, counties: list[str], span: list[str]) -> Params:
    start = rng.randrange(len(span) - 12)
    return {
        "level": "county",
        "measure": rng.choice(SERIES_MEASURES),
        "area": rng.sample(counties, 3),
        "start": span[start],
        "end": span[start + 11],
    }


def map_params(rng: random.Random, _: list[str], span: list[str]) -> Params:
    start = rng.randrange(len(span) - 1)
    end = rng.randrange(start, len(span))
    return {
        "level": rng.choice(MAP_LEVELS),
        "measure": rng.choice(MAP_MEASURES),
        "start": span[start],
        "end": span[end],
    }


def warm_paths(workers: int) -> list[str]:
    """Each combination the timed runs ask for, a few times per worker, so that every worker
    has built its arrays before the clock starts (the kernel spreads connections unevenly)."""
    once = [
        "/api/series?" + urlencode({"level": "county", "measure": m, "area": "06073"})
        for m in SERIES_MEASURES
    ] + [
        "/api/map?" + urlencode({"level": level, "measure": m})
        for level in MAP_LEVELS
        for m in MAP_MEASURES
    ]
    return once * (4 * workers)


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> bool:
    """One request on a kept-alive connection; whether it was answered 200."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    length = LENGTH.search(head)
    if length is None:  # every answer of the app carries its length
        raise ConnectionError("no content-length")
    await reader.readexactly(int(length.group(1)))
    return head.startswith(b"HTTP/1.1 200")


async def run(port: int, paths: list[str], concurrency: int) -> tuple[list[float], int]:
    """Send every path with ``concurrency`` connections, each one request at a time."""
    queue = [request_bytes(p) for p in reversed(paths)]
    latencies: list[float] = []
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                raw = queue.pop()
                began = time.perf_counter()
                try:
                    ok = await fetch(reader, writer, raw)
                except (ConnectionError, asyncio.IncompleteReadError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append((time.perf_counter() - began) * 1000)
                errors += not ok
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if entry.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ab_floor(port: int, total: int, concurrency: int) -> dict[str, float] | None:
    """Apache ab on the floor route: a C client, to check the Python client's floor against."""
    ab = shutil.which("ab")
    if ab is None:
        return None
    url = f"http://127.0.0.1:{port}/api/areas/county/06073"
    text = subprocess.run(
        [ab, "-q", "-k", "-n", str(total), "-c", str(concurrency), url],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = {int(q): float(ms) for q, ms in re.findall(r"^\s+(\d+)%\s+(\d+)", text, re.M)}
    rate = re.search(r"Requests per second:\s+([\d.]+)", text)
    if not found or rate is None:
        return None
    return {"p50": found[50], "p95": found[95], "p99": found[99], "rate": float(rate.group(1))}


def serve(db: Path, port: int, workers: int) -> subprocess.Popen[str]:
    code = "import sys; from sanctuary_atlas.web.serve import run; "
    code += "run(sys.argv[1], '127.0.0.1', int(sys.argv[2]), int(sys.argv[3]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(db), str(port), str(workers)], text=True
    )


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(request_bytes("/api/areas/county/06073"))
                if probe.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not answer")
        time.sleep(0.05)


def measure(args: argparse.Namespace, workers: int, counties: list[str]) -> list[dict[str, object]]:
    port = free_port()
    began = time.perf_counter()
    server = serve(args.db, port, workers)
    try:
        wait_ready(port)
        started = time.perf_counter() - began
        t0 = time.perf_counter()
        warm, warm_errors = asyncio.run(run(port, warm_paths(workers), args.concurrency))
        print(
            f"workers={workers}: first answer {started:.2f} s after start; warm-up "
            f"{len(warm)} requests in {time.perf_counter() - t0:.1f} s ({warm_errors} errors)"
        )
        rows: list[dict[str, object]] = []
        endpoints: list[tuple[str, str, Maker]] = [
            # the floor: a small answer that touches no panel (client + server overhead)
            ("floor", "/api/areas/county/06073", no_params),
            ("series", "/api/series", series_params),
            ("map", "/api/map", map_params),
        ]
        for name, path, make in endpoints:
            rng = random.Random(20260101)
            jobs = [make(rng, counties, SPAN) for _ in range(args.requests)]
            paths = [path + ("?" + urlencode(j, doseq=True) if j else "") for j in jobs]
            repeated = 1 - len(set(paths)) / len(paths) if jobs[0] else 0.0
            cpu0, server0, t0 = client_cpu(), cpu_seconds(server.pid), time.perf_counter()
            latencies, errors = asyncio.run(run(port, paths, args.concurrency))
            wall = time.perf_counter() - t0
            p95 = percentile(latencies, 95)
            rows.append(
                {
                    "workers": workers,
                    "endpoint": name,
                    "requests": len(latencies),
                    "errors": errors,
                    "repeated": round(repeated, 3),
                    "p50_ms": round(percentile(latencies, 50), 1),
                    "p95_ms": round(p95, 1),
                    "p99_ms": round(percentile(latencies, 99), 1),
                    "req_per_s": round(len(latencies) / wall),
                    "client_cpu": f"{(client_cpu() - cpu0) / wall:.0%}",
                    "server_cpu": f"{(cpu_seconds(server.pid) - server0) / wall:.0%}",
                    "target": "" if name == "floor" else verdict(p95),
                }
            )
        floor = ab_floor(port, args.requests, args.concurrency)
        if floor:
            print(
                f"workers={workers}: ab on the floor route: p50 {floor['p50']:.0f} ms, "
                f"p95 {floor['p95']:.0f} ms, p99 {floor['p99']:.0f} ms, {floor['rate']:.0f} req/s"
            )
        return rows
    finally:
        server.terminate()
        server.wait(timeout=20)


def verdict(p95: float) -> str:
    if p95 < TARGET_P95_MS:
        return f"PASS (p95 < {TARGET_P95_MS:.0f} ms)"
    return f"MISS ({p95 / TARGET_P95_MS:.1f}x the {TARGET_P95_MS:.0f} ms target)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} CPUs; {args.requests} requests per endpoint, "
        f"{args.concurrency} in flight"
    )
    counties = load_counties()["county_fips"].to_list()
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        rows += measure(args, workers, counties)
    with pl.Config(tbl_cols=-1, tbl_width_chars=220, tbl_rows=-1, fmt_str_lengths=40):
        print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
