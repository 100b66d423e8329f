"""Input validation: each malformed panel fails with an error that names what is wrong."""

from __future__ import annotations

import polars as pl
import pytest

from sanctuary_atlas.analysis.estimators import (
    PanelError,
    callaway_santanna,
    prepare_panel,
    sun_abraham,
    synthetic_panel,
)


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return synthetic_panel(n_units=60, n_periods=12, cohorts=(4, 8), seed=1)


def test_a_good_panel_is_described(panel: pl.DataFrame) -> None:
    prep = prepare_panel(panel)
    assert (prep.first_period, prep.last_period, prep.n_periods) == (0, 11, 12)
    assert prep.n_units == 60
    assert prep.n_treated + prep.n_never_treated == 60
    assert prep.cohorts == (4, 8)
    assert sum(prep.cohort_sizes.values()) == prep.n_treated
    assert prep.is_balanced and not prep.has_weights
    assert prep.pre_periods(4) == 4


def test_missing_columns_are_named(panel: pl.DataFrame) -> None:
    with pytest.raises(PanelError, match=r"missing column\(s\) \['first_treated'\]"):
        callaway_santanna(panel.drop("first_treated"))
    with pytest.raises(PanelError, match="outcome"):
        sun_abraham(panel.drop("outcome"))


def test_non_consecutive_periods_are_refused(panel: pl.DataFrame) -> None:
    with pytest.raises(PanelError, match=r"consecutive.*e\.g\. \[5\]"):
        prepare_panel(panel.filter(pl.col("period") != 5))


def test_first_treated_outside_the_panel_is_refused(panel: pl.DataFrame) -> None:
    late = panel.with_columns(
        pl.when(pl.col("unit") == panel.get_column("unit")[0])
        .then(40)
        .otherwise(pl.col("first_treated"))
        .alias("first_treated")
    )
    with pytest.raises(PanelError, match=r"outside the panel's periods \[0, 11\].*=40"):
        prepare_panel(late)
    early = panel.with_columns(pl.lit(-3).alias("first_treated"))
    with pytest.raises(PanelError, match="outside the panel"):
        prepare_panel(early)


def test_no_treated_units_is_refused(panel: pl.DataFrame) -> None:
    never = panel.with_columns(pl.lit(None, dtype=pl.Int64).alias("first_treated"))
    with pytest.raises(PanelError, match="no treated units"):
        callaway_santanna(never)
    with pytest.raises(PanelError, match="no treated units"):
        sun_abraham(never)


def test_units_adopting_in_the_first_period_are_excluded_and_said(panel: pl.DataFrame) -> None:
    first_unit = panel.get_column("unit")[0]
    moved = panel.with_columns(
        pl.when(pl.col("unit") == first_unit)
        .then(0)
        .otherwise(pl.col("first_treated"))
        .alias("first_treated")
    )
    prep = prepare_panel(moved)
    assert prep.n_excluded_units == 1
    assert prep.n_units == 59
    assert first_unit not in prep.frame.get_column("unit").to_list()


def test_duplicate_rows_and_varying_adoption_are_refused(panel: pl.DataFrame) -> None:
    with pytest.raises(PanelError, match="sharing a \\(unit, period\\) pair"):
        prepare_panel(pl.concat([panel, panel.head(1)]))
    treated_unit = panel.filter(pl.col("first_treated").is_not_null()).get_column("unit")[0]
    varying = panel.with_columns(
        pl.when((pl.col("unit") == treated_unit) & (pl.col("period") == 0))
        .then(pl.col("first_treated") + 1)
        .otherwise(pl.col("first_treated"))
        .alias("first_treated")
    )
    with pytest.raises(PanelError, match="constant within a unit"):
        prepare_panel(varying)


def test_missing_outcomes_fail_unless_dropping_is_asked(panel: pl.DataFrame) -> None:
    some_units = panel.get_column("unit").unique().sort().head(5).implode()
    holes = panel.with_columns(
        pl.when((pl.col("period") == 3) & pl.col("unit").is_in(some_units))
        .then(float("nan"))
        .otherwise(pl.col("outcome"))
        .alias("outcome")
    )
    with pytest.raises(PanelError, match="5 null/NaN"):
        prepare_panel(holes)
    prep = prepare_panel(holes, drop_missing_outcomes=True)
    assert prep.n_missing_outcomes_dropped == 5
    assert prep.frame.height == panel.height - 5
    assert not prep.is_balanced


def test_weights_must_be_constant_within_units(panel: pl.DataFrame) -> None:
    weighted = panel.with_columns(pl.col("period").cast(pl.Float64).alias("weight"))
    with pytest.raises(PanelError, match="weight"):
        prepare_panel(weighted)
    with pytest.raises(PanelError, match="anticipation"):
        prepare_panel(panel, anticipation=-1)
    with pytest.raises(PanelError, match="control"):
        callaway_santanna(panel, control="everyone")  # type: ignore[arg-type]


def test_wrong_types_are_named(panel: pl.DataFrame) -> None:
    with pytest.raises(PanelError, match="polars DataFrame"):
        prepare_panel(panel.to_pandas())
    with pytest.raises(PanelError, match="'period' must be an integer"):
        prepare_panel(panel.with_columns(pl.col("period").cast(pl.String)))
    with pytest.raises(PanelError, match="whole numbers"):
        prepare_panel(panel.with_columns(pl.col("period").cast(pl.Float64) + 0.5))
