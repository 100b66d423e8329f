"""Load test of the web API on loopback: p50/p95/p99 latency of the series and map endpoints.

    python benchmarks/web_load.py --db atlas.duckdb [--requests 5000] [--concurrency 20]
                                  [--workers 1,2]
    python benchmarks/web_load.py --cold --db atlas.duckdb [--requests 2000] [--concurrency 20]

``--cold``: one fresh server, no warm-up, a fixed number of varied questions (a random
endpoint, level, measure, areas and period each; see ``cold_questions``) with a fixed number in
flight; prints p50/p95/p99, errors and the server's peak resident memory (``VmHWM``) against
the targets (p95 <= 100 ms, peak RSS <= 1 GB, no error). Only 127.0.0.1 is ever contacted.

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
import json
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
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from sanctuary_atlas.geography.reference import load_aors, load_counties, load_states
from sanctuary_atlas.measures.panel import LEVELS

TARGET_P95_MS = 50.0
COLD_TARGET_P95_MS = 100.0
COLD_TARGET_RSS_MB = 1024.0
SHOW_SLOWEST = 5
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


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
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


def serve(db: Path, port: int, workers: int, prepare: bool = True) -> subprocess.Popen[str]:
    """``sanctuary-atlas serve`` in a child process (``prepare``: as it does by default, the
    map grids built before it listens; ``--no-prepare``: each built by its first question)."""
    code = "import sys; from sanctuary_atlas.web.serve import run; "
    code += "run(sys.argv[1], '127.0.0.1', int(sys.argv[2]), int(sys.argv[3]), "
    code += "prepare=sys.argv[4] == '1')"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(db), str(port), str(workers), str(int(prepare))],
        text=True,
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
        warm, warm_errors, _ = asyncio.run(run(port, warm_paths(workers), args.concurrency))
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
            latencies, errors, _ = asyncio.run(run(port, paths, args.concurrency))
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


def recorded_measures(port: int) -> list[str]:
    """The measures the served atlas has figures for in some month of ``SPAN``, as its forms
    offer them (asked once, before the clock starts): a measure it lacks answers a cheap 422."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/measures") as answer:
        listed = json.load(answer)
    return [
        str(m["measure"])
        for m in listed
        if m["first_month"] and m["first_month"][:7] <= SPAN[-1] and m["last_month"][:7] >= SPAN[0]
    ]


def cold_questions(rng: random.Random, total: int, measures: list[str]) -> list[str]:
    """``total`` varied questions, as a newcomer's browser and scripts ask them: 45% a series
    of one to three areas of a random level, 45% a map of a random level, 5% a series download
    (CSV) of a few areas, 5% a whole level's series (the largest answers: every county);
    each with a random one of ``measures`` and a random period."""
    places = {
        "nation": ["US"],
        "aor": load_aors()["code"].to_list(),
        "state": load_states()["usps"].to_list(),
        "county": load_counties()["county_fips"].to_list(),
    }
    paths = []
    for _ in range(total):
        first = rng.randrange(len(SPAN))
        last = rng.randrange(first, len(SPAN))
        query: Params = {"measure": rng.choice(measures), "start": SPAN[first], "end": SPAN[last]}
        kind = rng.random()
        if kind < 0.45 or 0.90 <= kind < 0.95:
            level = rng.choice(LEVELS)
            codes = places[level]
            query |= {"level": level, "area": rng.sample(codes, min(len(codes), rng.randint(1, 3)))}
            path = "/api/series" if kind < 0.45 else "/api/series.csv"
        elif kind < 0.90:
            query |= {"level": rng.choice(MAP_LEVELS)}
            path = "/api/map"
        else:
            query |= {"level": rng.choice(LEVELS)}
            path = "/api/series"
        paths.append(path + "?" + urlencode(query, doseq=True))
    return paths


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of ``pid``'s resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(
    port: int, paths: list[str], concurrency: int
) -> tuple[list[float], int, dict[int, int]]:
    """Send every path with ``concurrency`` kept-alive connections, each one request at a time:
    the latencies, the errors (any answer but 200, or a dropped connection: status 0) and the
    answers by status."""
    queue = [request_bytes(p) for p in reversed(paths)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    by_path: list[tuple[bytes, float]] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                raw = queue.pop()
                began = time.perf_counter()
                try:
                    writer.write(raw)
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = LENGTH.search(head)
                    if length is None:
                        raise ConnectionError("no content-length")
                    await reader.readexactly(int(length.group(1)))
                    status = int(head[9:12])
                except (ConnectionError, asyncio.IncompleteReadError):
                    status = 0  # the server dropped the connection
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append((time.perf_counter() - began) * 1000)
                by_path.append((raw, latencies[-1]))
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    errors = sum(n for status, n in statuses.items() if status != 200)
    for raw, ms in sorted(by_path, key=lambda item: -item[1])[:SHOW_SLOWEST]:
        print(f"{ms:8.0f} ms  {raw.split(b' ')[1].decode()}")
    print_by_kind(by_path)
    return latencies, errors, statuses


def print_by_kind(by_path: list[tuple[bytes, float]]) -> None:
    """Latency by endpoint and level, and how much of the slowest twentieth each kind holds:
    where the p95 comes from."""
    kinds: dict[str, list[float]] = {}
    for raw, ms in by_path:
        path = raw.split(b" ")[1].decode()
        level = re.search(r"level=(\w+)", path)
        whole = "series" in path and "area=" not in path
        kind = path.split("?")[0] + (" whole" if whole else "") + f" {level[1] if level else ''}"
        kinds.setdefault(kind, []).append(ms)
    slow = percentile([ms for _, ms in by_path], 95)
    print(f"{'kind':<32} {'n':>5} {'p50':>7} {'p95':>7} {'>= p95':>7}")
    for kind, values in sorted(kinds.items()):
        over = sum(ms >= slow for ms in values)
        print(
            f"{kind:<32} {len(values):>5} {percentile(values, 50):>7.0f} "
            f"{percentile(values, 95):>7.0f} {over:>7}"
        )


def cold(args: argparse.Namespace) -> None:
    port = free_port()
    began = time.perf_counter()
    server = serve(args.db, port, 1, args.prepare)
    try:
        wait_ready(port)
        ready_after = time.perf_counter() - began
        measures = recorded_measures(port)
        paths = cold_questions(random.Random(20261129), args.requests, measures)
        ready_mb = peak_rss_mb(server.pid)
        t0 = time.perf_counter()
        latencies, _, statuses = asyncio.run(run(port, paths, args.concurrency))
        wall = time.perf_counter() - t0
        peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    # a random period may lie outside the months a measure covers: the app answers 422 "no
    # data between ..." (correct); an error is a 5xx or a dropped connection
    errors = sum(n for status, n in statuses.items() if status == 0 or status >= 500)
    p95 = percentile(latencies, 95)
    passed = p95 <= COLD_TARGET_P95_MS and peak <= COLD_TARGET_RSS_MB and not errors
    print(
        f"cold load: {len(latencies)} varied questions ({len(measures)} measures), "
        f"{args.concurrency} in flight, "
        f"{wall:.1f} s ({len(latencies) / wall:.0f} req/s)\n"
        f"  p50 {percentile(latencies, 50):.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.0f} ms\n"
        f"  errors (5xx, dropped connections) {errors}; answers by status "
        f"{dict(sorted(statuses.items()))} (422: a period outside the measure's months)\n"
        f"  server ready {ready_after:.1f} s after it started "
        f"({'grids prepared' if args.prepare else 'grids built by first questions'}); "
        f"RSS {ready_mb:.0f} MB when ready, peak {peak:.0f} MB\n"
        f"  target (p95 <= {COLD_TARGET_P95_MS:.0f} ms, peak RSS <= "
        f"{COLD_TARGET_RSS_MB:.0f} MB, no error): {'PASS' if passed else 'MISS'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--requests", type=int, help="5,000 per endpoint; --cold: 2,000 in all")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--cold", action="store_true", help="the varied cold load (see above)")
    parser.add_argument(
        "--no-prepare",
        dest="prepare",
        action="store_false",
        help="--cold: serve without building the grids first (serve --no-prepare)",
    )
    args = parser.parse_args()
    args.requests = args.requests or (2000 if args.cold else 5000)
    if args.cold:
        cold(args)
        return
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
