"""Load test of the web API on loopback: p50/p95/p99 latency of the series and map endpoints.

    python benchmarks/web_load.py --db atlas.duckdb [--requests 5000] [--concurrency 20]

Starts `sanctuary-atlas serve` on a free port in a child process (one uvicorn worker, as users
run it), then sends a bounded number of requests per endpoint with a fixed number in flight.
Requests vary (random counties, random periods) so that most miss the app's answer cache; the
share of repeated requests is printed. A request that fails or answers other than 200 counts as
an error and is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import polars as pl

from sanctuary_atlas.geography.reference import load_counties

Params = dict[str, str | list[str]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def no_params(rng: random.Random, counties: list[str], _: list[str]) -> Params:
    return {}


def months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    out, (year, month) = [], first
    while (year, month) <= last:
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def series_params(rng: random.Random, counties: list[str], span: list[str]) -> Params:
    start = rng.randrange(len(span) - 12)
    return {
        "level": "county",
        "measure": rng.choice(["arrests", "arrests_at_large", "arrests_custodial"]),
        "area": rng.sample(counties, 3),
        "start": span[start],
        "end": span[start + 11],
    }


def map_params(rng: random.Random, _: list[str], span: list[str]) -> Params:
    start = rng.randrange(len(span) - 1)
    end = rng.randrange(start, len(span))
    return {
        "level": rng.choice(["county", "state", "aor"]),
        "measure": rng.choice(["arrests", "arrests_at_large", "at_large_share"]),
        "start": span[start],
        "end": span[end],
    }


async def run(
    base: str,
    path: str,
    make: Callable[[random.Random, list[str], list[str]], Params],
    total: int,
    concurrency: int,
    counties: list[str],
) -> tuple[list[float], int, float]:
    rng = random.Random(20260101)
    span = months((2015, 10), (2019, 9))
    jobs = [make(rng, counties, span) for _ in range(total)]
    distinct = len({repr(sorted(j.items())) for j in jobs})
    if not jobs[0]:
        distinct = total  # a fixed route: "repeated" says nothing
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[Params] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            params = queue.get_nowait()
            began = time.perf_counter()
            try:
                answer = await client.get(path, params=params)
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - began) * 1000)
            errors += not ok

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, errors, 1 - distinct / total


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    began = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sanctuary_atlas.cli.web import web_app; web_app()",
            "--db",
            str(args.db),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        print(server.stdout.readline().strip())
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                httpx.get(base + "/api/releases", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        print(f"startup to first answer: {time.perf_counter() - began:.2f} s")
        counties = load_counties()["county_fips"].to_list()
        rows = []
        for name, path, make in (
            # the floor: a small answer that touches no panel (client + server overhead)
            ("floor", "/api/areas/county/06073", no_params),
            ("series", "/api/series", series_params),
            ("map", "/api/map", map_params),
        ):
            t0 = time.perf_counter()
            latencies, errors, repeated = asyncio.run(
                run(base, path, make, args.requests, args.concurrency, counties)
            )
            wall = time.perf_counter() - t0
            rows.append(
                {
                    "endpoint": name,
                    "requests": len(latencies),
                    "errors": errors,
                    "repeated_share": round(repeated, 3),
                    "p50_ms": round(percentile(latencies, 50), 1),
                    "p95_ms": round(percentile(latencies, 95), 1),
                    "p99_ms": round(percentile(latencies, 99), 1),
                    "req_per_s": round(len(latencies) / wall, 1),
                }
            )
        with pl.Config(tbl_cols=-1, tbl_width_chars=200):
            print(pl.DataFrame(rows))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
