"""Placebo (randomization) inference: for the few-treated-unit panels where clustered SEs fail."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctuary_atlas.analysis.estimators import (
    DidResult,
    callaway_santanna,
    constant_effect,
    placebo_test,
    sun_abraham,
    synthetic_panel,
)


def few_treated(effect: float) -> tuple[pl.DataFrame, DidResult]:
    panel = synthetic_panel(
        n_units=30,
        n_periods=24,
        cohorts=(12,),
        never_treated_share=0.9,
        effect=constant_effect(effect),
        seed=8,
    )
    return panel, sun_abraham(panel)


def test_a_real_effect_is_the_most_extreme_draw() -> None:
    panel, result = few_treated(5.0)
    assert result.n_treated < 6
    tested = placebo_test(result, panel, draws=19, seed=1)
    assert tested.placebo is not None
    assert tested.placebo.p_value == pytest.approx(1 / 20)
    assert len(tested.placebo.placebo_atts) == 19
    assert max(abs(a) for a in tested.placebo.placebo_atts) < abs(result.att)
    assert tested.caveats[-1].startswith("placebo test: p = 0.05")
    assert "placebo test: p = 0.05 (19 reassignments" in tested.summary()
    data = json.loads(json.dumps(tested.to_dict(), allow_nan=False))
    assert data["placebo_test"]["draws"] == 19
    # The original result is untouched (results are immutable).
    assert result.placebo is None


def test_no_effect_is_not_extreme() -> None:
    panel, result = few_treated(0.0)
    tested = placebo_test(result, panel, draws=19, seed=1)
    assert tested.placebo is not None
    assert tested.placebo.p_value > 0.2


def test_placebo_needs_enough_draws_and_a_known_estimator() -> None:
    panel, result = few_treated(5.0)
    with pytest.raises(ValueError, match="at least 19"):
        placebo_test(result, panel, draws=5)
    cs: DidResult = callaway_santanna(panel)
    assert placebo_test(cs, panel, draws=19).placebo is not None
