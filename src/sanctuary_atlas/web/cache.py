"""The web app's one cache: answers and the arrays they are sliced from, bounded by bytes.

The store never changes under a read-only app, so an answer computed once stays right until the
process ends; what bounds the cache is memory. Entries are weighed by the bytes they hold
(``size_of``) and the least recently used go first once the budget is spent. An entry larger
than a fraction of the budget is computed and returned but not kept: one whole-level county
series (~20 MB) must not push out hundreds of small answers.

Entries are of two kinds. What answers are sliced from (a level's map grid: 0.1-0.2 s to
build) is kept before the answers themselves (``cheap``: encoded bytes for one period, made
again from the grid in milliseconds, and mostly asked once): cheap entries go first, so a run of
answers never pushes out a grid.

Concurrent first requests for one key wait for a single computation instead of each running
it (``get``): twenty readers asking for the county map at once build its grid once.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import numpy as np
import polars as pl

T = TypeVar("T")

DEFAULT_BUDGET = 256 * 1024 * 1024
# An entry above budget / LARGEST_SHARE is not kept.
LARGEST_SHARE = 16


def size_of(value: object) -> int:
    """The bytes ``value`` holds, near enough to budget by: exact for bytes, arrays and
    frames, an estimate (``sys.getsizeof``, recursively) for Python containers."""
    if isinstance(value, bytes | bytearray | str):
        return sys.getsizeof(value)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        if all(isinstance(item, str) for item in value):  # area codes and names: the usual
            return sys.getsizeof(value) + sum(map(sys.getsizeof, value))
        return sys.getsizeof(value) + sum(size_of(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(
            size_of(getattr(value, f.name)) for f in dataclasses.fields(value)
        )
    return sys.getsizeof(value)


class ByteBudgetCache:
    """A least-recently-used cache bounded by the bytes of its entries."""

    def __init__(self, budget: int = DEFAULT_BUDGET):
        self.budget = budget
        self.used = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._cheap: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._entries) + len(self._cheap)

    def peek(self, key: Hashable) -> bool:
        """Whether ``key`` is held (without computing it)."""
        with self._lock:
            return key in self._entries or key in self._cheap

    def get(self, key: Hashable, compute: Callable[[], T], cheap: bool = False) -> T:
        """The entry of ``key``, computed (once, however many threads ask) when absent.
        ``cheap``: an entry that goes before every other when room is needed."""
        found = self._lookup(key)
        if found is not None:
            return cast(T, found[0])
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            found = self._lookup(key)
            if found is not None:
                return cast(T, found[0])
            try:
                value = compute()
                self._store(key, value, cheap)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            return value

    def _lookup(self, key: Hashable) -> tuple[object] | None:
        with self._lock:
            for entries in (self._entries, self._cheap):
                entry = entries.get(key)
                if entry is not None:
                    entries.move_to_end(key)
                    return (entry[0],)
            return None

    def _store(self, key: Hashable, value: Any, cheap: bool = False) -> None:
        size = size_of(value)
        if size > self.budget // LARGEST_SHARE:
            return
        with self._lock:
            for entries in (self._entries, self._cheap):
                old = entries.pop(key, None)
                if old is not None:
                    self.used -= old[1]
            (self._cheap if cheap else self._entries)[key] = (value, size)
            self.used += size
            # the least recently used cheap entries first, then the others
            while self.used > self.budget and (self._cheap or self._entries):
                _, (_, dropped) = (self._cheap or self._entries).popitem(last=False)
                self.used -= dropped
