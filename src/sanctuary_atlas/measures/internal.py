"""Internal series, for estimators only: the panel's own values, withheld cells included.

An estimate is a statistical summary over many cells (an effect, an interval), never a cell, so
it may read values disclosure control withholds from every published answer. Nothing here is
served, exported or printed: the web app, the reports and the CLI read ``published``. A store
materialised from the bundled default atlas holds no withheld value; there a withheld cell is
null (unknown), and the caller says how many it left out.
"""

from __future__ import annotations

import polars as pl

from sanctuary_atlas.measures.definitions import DERIVED_BY_NAME, MEASURES_BY_NAME
from sanctuary_atlas.measures.published import with_derived
from sanctuary_atlas.store import Store


def internal_cells(store: Store, level: str, measures: list[str]) -> pl.DataFrame:
    """area_code, month, measure, value: every stored cell of ``measures`` at ``level``, with
    its internal value (null only where the store does not know it). A month with no event has
    no cell."""
    return store.frame(
        "SELECT area_code, month, measure, value FROM panel_cells "
        "WHERE level = ? AND list_contains(?, measure)",
        [level, measures],
    )


def internal_series(store: Store, level: str, measure: str, areas: list[str]) -> pl.DataFrame:
    """area_code, month, value: ``measure`` for each of ``areas`` in every month the nation
    has a cell of it — zero where the month had no event, null where a value it derives from
    is withheld and unknown. Count measures, their ``_per_100k`` and shares."""
    derived = DERIVED_BY_NAME.get(measure)
    base = [measure] if measure in MEASURES_BY_NAME else []
    if derived:
        base = [derived.numerator] + ([derived.denominator] if derived.denominator else [])
    if not base:
        raise ValueError(f"unknown measure {measure!r}")
    cells = internal_cells(store, level, base)
    months = internal_cells(store, "nation", base[:1]).select("month").unique()
    grid = pl.DataFrame({"area_code": areas}, schema={"area_code": pl.String}).join(
        months, how="cross"
    )
    withheld: list[pl.Expr] = []
    for name in base:
        part = cells.filter(pl.col("measure") == name).select(
            "area_code",
            "month",
            pl.col("value").alias(name),
            pl.col("value").is_null().alias(f"{name}__withheld"),
        )
        # no cell: no event that month (zero); a cell without a value: withheld (unknown)
        grid = grid.join(part, on=["area_code", "month"], how="left").with_columns(
            pl.col(name).fill_null(0.0)
        )
        withheld.append(pl.col(f"{name}__withheld").fill_null(False))
    grid = with_derived(grid, level, [measure])
    value = pl.when(~pl.any_horizontal(withheld)).then(pl.col(measure))
    return grid.select("area_code", "month", value.alias("value")).sort("area_code", "month")
