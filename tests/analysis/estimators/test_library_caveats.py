"""The estimation libraries' warnings become caveats in words, never lines on stderr."""

from __future__ import annotations

import polars as pl
import pytest

from sanctuary_atlas.analysis.estimators import sun_abraham, synthetic_panel
from sanctuary_atlas.analysis.estimators.caveats import library_caveats

# as pyfixest 0.60 and differences 0.3 word them (whitespace included)
PYFIXEST_SINGLETONS = "3 singleton fixed effect(s) dropped from the model."
PYFIXEST_COLLINEAR = """
            1 variables dropped due to multicollinearity.
            The following variables are dropped: ['cell::c230_r6'].
            """
DIFFERENCES_LATE = (
    "13 entity-events ignored because the event (cohort) date\n is after the end of the panel "
    "for the specific entity, as if never treated"
)


def test_known_warnings_are_said_in_words() -> None:
    notes = library_caveats([PYFIXEST_SINGLETONS, PYFIXEST_COLLINEAR, DIFFERENCES_LATE])
    assert len(notes) == 2  # collinear cells are counted by the estimator itself
    assert notes[0].startswith("3 singleton fixed effect(s) dropped")
    assert notes[1].startswith("13 unit(s) adopt only after their last month with data")
    assert not any("cell::" in note or "\n" in note for note in notes)


def test_an_unknown_warning_is_kept_whole_on_one_line() -> None:
    assert library_caveats(["Something  new\nhappened."]) == [
        "the estimation library warned: Something new happened."
    ]


def test_a_constant_or_infinite_outcome_is_said_in_words(capfd: pytest.CaptureFixture[str]) -> None:
    """A county whose outcome never varies gives pyfixest a zero standard error; it used to
    reach the estimates page as 'invalid value encountered in divide'."""
    panel = synthetic_panel(n_units=60, n_periods=12, cohorts=(4, 8), seed=1)
    first = panel["unit"][0]
    for outcome, said in (
        (pl.lit(0.0), "standard error of zero"),
        (
            pl.when(pl.col("unit") == first).then(float("inf")).otherwise(pl.col("outcome")),
            "12 unit-month(s) with an infinite outcome left out",
        ),
    ):
        result = sun_abraham(panel.with_columns(outcome.alias("outcome")))
        notes = [c for c in result.caveats if said in c]
        assert len(notes) == 1, result.caveats
        assert not any("warned" in c or "encountered" in c for c in result.caveats)
    assert capfd.readouterr().err == ""
