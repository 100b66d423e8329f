"""The web app's one cache: bounded by the bytes of its entries, cheap entries dropped first,
one computation per key."""

from __future__ import annotations

import threading
import time

import numpy as np
import polars as pl

from sanctuary_atlas.web.cache import ByteBudgetCache, size_of


def test_entries_are_weighed_and_the_least_recent_go_first() -> None:
    cache = ByteBudgetCache(budget=16 * 1000)
    for key in range(40):
        cache.get(key, lambda: b"x" * 900)
    assert cache.used <= cache.budget
    assert len(cache) < 40 and cache.peek(39) and not cache.peek(0)
    cache.get(39, lambda: b"never computed")  # a hit refreshes the entry
    assert cache.get(39, lambda: b"never computed") == b"x" * 900


def test_cheap_entries_go_before_any_other() -> None:
    # a grid kept first, then a run of answers ten times the budget: the answers make room
    # among themselves, and the grid, the least recently used of all, stays
    cache = ByteBudgetCache(budget=16 * 1000)
    cache.get("grid", lambda: b"g" * 900)
    for key in range(200):
        cache.get(("answer", key), lambda: b"a" * 900, cheap=True)
        assert cache.used <= cache.budget
    assert cache.peek("grid") and cache.peek(("answer", 199)) and not cache.peek(("answer", 0))
    # with no cheap entry left to drop, the others go least recent first, as before
    for key in range(40):
        cache.get(key, lambda: b"x" * 900)
    assert not cache.peek("grid") and not cache.peek(("answer", 199)) and cache.peek(39)


def test_an_answer_too_large_to_keep_is_returned_but_not_kept() -> None:
    cache = ByteBudgetCache(budget=16 * 1000)
    big = b"y" * 2000  # above 1/16 of the budget
    assert cache.get("big", lambda: big) is big
    assert not cache.peek("big") and cache.used == 0


def test_concurrent_first_requests_compute_once() -> None:
    cache = ByteBudgetCache()
    calls = []

    def slow() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"answer"

    threads = [threading.Thread(target=cache.get, args=("key", slow)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_sizes_of_arrays_frames_and_containers() -> None:
    assert size_of(np.zeros(1000)) == 8000
    frame = pl.DataFrame({"value": np.zeros(10_000)})
    assert size_of(frame) == frame.estimated_size() >= 80_000
    assert size_of({"rows": [np.zeros(100), "x" * 1000]}) > 1800
