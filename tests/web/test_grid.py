"""The grids maps and one-measure series are sliced from (``web.answers.Grid``), and the
server's preparation of them (``AtlasView.prepare``), on the real national store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import sanctuary_atlas
from sanctuary_atlas.measures.panel import LEVELS
from sanctuary_atlas.web.answers import Grid
from sanctuary_atlas.web.service import AtlasView


def test_a_grid_gives_the_published_panels_rows_of_every_measure_at_every_level(
    web_store: Path,
) -> None:
    """A series of one measure is answered from its grid, not the store: the rows must be
    exactly the panel's (withheld cells null, months with no release absent), whole and for a
    few areas over a period."""
    with sanctuary_atlas.open(web_store, read_only=True) as atlas:
        view = AtlasView(atlas)
        measures = [m.name for m in view.recorded_measures()]
        assert len(measures) > 20
        for level in LEVELS:
            for measure in measures:
                grid = view.grid(level, measure)
                whole = atlas.measures.panel(level, [measure])
                assert_frame_equal(grid.rows(level, measure, None, None, None), whole)
                codes = whole["area_code"].unique().sort().to_list()[-3:]
                first, last = date(2017, 2, 1), date(2018, 5, 1)
                assert_frame_equal(
                    grid.rows(level, measure, tuple(codes), first, last),
                    atlas.measures.panel(level, [measure], first, last, codes),
                )
        # the same through the view's own question, as /api/series asks it
        assert_frame_equal(
            view.panel("county", ("arrests_at_large",), None, None, ("17031", "06037")),
            atlas.measures.panel("county", ["arrests_at_large"], None, None, ["17031", "06037"]),
        )


def test_prepare_builds_every_grid_and_keeps_to_half_the_budget(web_store: Path) -> None:
    with sanctuary_atlas.open(web_store, read_only=True) as atlas:
        view = AtlasView(atlas)
        prepared = view.prepare()
        measures = [m.name for m in view.recorded_measures()]
        assert prepared.grids == prepared.total == len(LEVELS) * len(measures)
        assert all(view.cache.peek(("grid", lv, m)) for lv in LEVELS for m in measures)
        assert prepared.cached_bytes == view.cache.used
        assert f"prepared {prepared.grids} of {prepared.total} map grids" in str(prepared)
        # a budget the nation's grids fill half of: the counties' are not prepared
        nation_only = AtlasView(atlas)
        for measure in measures:
            nation_only.grid("nation", measure)
        small = AtlasView(atlas, cache_budget=2 * nation_only.cache.used)
        stopped = small.prepare()
        assert 0 < stopped.grids < stopped.total
        assert small.cache.peek(("grid", "nation", measures[0]))
        assert not any(small.cache.peek(("grid", "county", m)) for m in measures)
        assert small.cache.used <= small.cache.budget


def test_a_grid_that_fails_to_build_does_not_stop_the_server_starting(
    web_store: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with sanctuary_atlas.open(web_store, read_only=True) as atlas:
        view = AtlasView(atlas)
        two = view.recorded_measures()[:2]
        monkeypatch.setattr(view, "recorded_measures", lambda: two)
        built = view.grid

        def failing(level: str, measure: str) -> Grid:
            if (level, measure) == ("county", two[0].name):
                raise RuntimeError("a broken grid")
            return built(level, measure)

        monkeypatch.setattr(view, "grid", failing)
        prepared = view.prepare()
        assert (prepared.grids, prepared.total) == (2 * len(LEVELS) - 1, 2 * len(LEVELS))
        assert f"could not prepare the county grid of {two[0].name}" in caplog.text
