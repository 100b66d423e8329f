"""MeasuresAPI: the panel and its measures, for the CLI, the web app and notebooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from sanctuary_atlas.measures.definitions import definitions
from sanctuary_atlas.measures.detention import detention_placement
from sanctuary_atlas.measures.disclosure import DEFAULT_THRESHOLD, check_threshold
from sanctuary_atlas.measures.internal import internal_cells, internal_series
from sanctuary_atlas.measures.panel import build_panel, panel_is_current
from sanctuary_atlas.measures.published import published_panel
from sanctuary_atlas.store import Store, StoreError


class MeasuresAPI:
    """Measures by area and month, with disclosure control applied."""

    def __init__(self, store: Store, threshold: int = DEFAULT_THRESHOLD):
        self.store = store
        self.threshold = check_threshold(threshold)
        # a read-only store cannot change while it is open: once current, always current
        self._current_read_only = False

    def definitions(self) -> pl.DataFrame:
        """Every measure with its plain-language definition."""
        return pl.DataFrame(definitions())

    def panel_is_current(self) -> bool:
        """Whether the cached panel matches the store's releases, precedence and resolutions
        (if not, ``ensure_panel`` rebuilds it, which needs the store open for writing)."""
        return panel_is_current(self.store, self.threshold)

    def ensure_panel(self) -> bool:
        """Rebuild the cached panel if its inputs changed; True when it was rebuilt."""
        if self._current_read_only:
            return False
        if self.panel_is_current():
            self._current_read_only = self.store.read_only
            return False
        if self.store.published_only():
            raise StoreError(
                f"{self.store.path} was materialised from the default atlas of an older "
                "version of sanctuary-atlas: replace it with `sanctuary-atlas init --force "
                f"--db {self.store.path}`"
            )
        if self.store.read_only:
            raise StoreError(
                "the panel is out of date with the store's releases: open the store for "
                "writing once (e.g. `sanctuary-atlas panel` without a read-only copy) to rebuild"
            )
        build_panel(self.store, self.threshold)
        return True

    def panel(
        self,
        level: str,
        measures: list[str],
        start: date | None = None,
        end: date | None = None,
        areas: list[str] | None = None,
        bounds: bool = False,
    ) -> pl.DataFrame:
        """level, area_code, area_name, month and one column per measure; suppressed cells
        and months without data are null. ``bounds``: at state and county level, each count's
        upper bound and coverage too (``measures.bounds``)."""
        self.ensure_panel()
        return published_panel(self.store, level, measures, start, end, areas, bounds)

    def detention_placement(self) -> pl.DataFrame:
        """By month: the shares of detention person-days placed in a county, a state and an
        AOR, and the share the DDP release counts (see ``measures.detention``)."""
        self.store.refuse_if_published_only("measure where detention was placed")
        return detention_placement(self.store)

    # -- internal: for estimators only, never served -----------------------------------------
    def internal_cells(self, level: str, measures: list[str]) -> pl.DataFrame:
        """INTERNAL (estimators only, never served): area_code, month, measure, value of every
        stored cell, withheld values included where the store knows them."""
        return internal_cells(self.store, level, measures)

    def internal_series(self, level: str, measure: str, areas: list[str]) -> pl.DataFrame:
        """INTERNAL (estimators only, never served): area_code, month, value of ``measure``
        for ``areas`` in every month the record covers, withheld values included where the
        store knows them (see ``measures.internal``)."""
        return internal_series(self.store, level, measure, areas)

    def export_parquet(
        self,
        path: str | Path,
        level: str,
        measures: list[str],
        start: date | None = None,
        end: date | None = None,
    ) -> int:
        frame = self.panel(level, measures, start, end)
        frame.write_parquet(Path(path))
        return frame.height

    def build_stats(self) -> dict[str, object]:
        found = self.store.rows(
            "SELECT cells, suppressed, threshold, seconds, built_at FROM panel_builds "
            "ORDER BY built_at DESC LIMIT 1"
        )
        if not found:
            return {}
        cells, suppressed, threshold, seconds, built_at = found[0]
        return {
            "cells": cells,
            "suppressed": suppressed,
            "threshold": threshold,
            "seconds": round(seconds, 2),
            "built_at": str(built_at),
        }
