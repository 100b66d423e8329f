"""Synthetic staggered-adoption panels with a known effect, to check and time the estimators.

The outcome is ``unit effect + period effect + effect(relative period) + pre-trend + noise``:
unit and period fixed effects, a treatment effect that starts at adoption, and optionally a
linear trend in treated units before adoption (which the pre-trend test should catch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from sanctuary_atlas.analysis.estimators.panel_input import (
    FIRST_TREATED,
    OUTCOME,
    PERIOD,
    UNIT,
)

EffectFn = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float64]]


def constant_effect(size: float) -> EffectFn:
    """The same effect ``size`` in every period from adoption on."""

    def effect(relative: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return np.where(relative >= 0, size, 0.0)

    return effect


def synthetic_panel(
    *,
    n_units: int = 3000,
    n_periods: int = 48,
    cohorts: Sequence[int] = (12, 18, 24, 30, 36),
    never_treated_share: float = 0.4,
    effect: EffectFn | None = None,
    pretrend_slope: float = 0.0,
    noise_sd: float = 1.0,
    seed: int = 0,
) -> pl.DataFrame:
    """A balanced panel: unit, period, outcome, first_treated (null for never treated).

    Treated units are split evenly at random over ``cohorts`` (adoption periods); ``effect`` maps
    the relative period (period - first_treated) to the true effect (default: constant 5).
    ``pretrend_slope`` adds ``slope * relative period`` to treated units before adoption.
    """
    if any(not 0 < g < n_periods for g in cohorts):
        raise ValueError(f"cohorts must fall inside periods 1..{n_periods - 1}, got {cohorts}")
    rng = np.random.default_rng(seed)
    effect = effect or constant_effect(5.0)
    treated = rng.random(n_units) >= never_treated_share
    first = np.where(treated, rng.choice(np.asarray(cohorts), n_units), -1)
    unit_effect = rng.normal(0.0, 2.0, n_units)
    period_effect = np.cumsum(rng.normal(0.0, 0.3, n_periods)) + np.sin(np.arange(n_periods) / 6)

    units = np.repeat(np.arange(n_units), n_periods)
    periods = np.tile(np.arange(n_periods, dtype=np.int64), n_units)
    first_long = first[units]
    is_treated_unit = first_long >= 0
    relative = periods - first_long
    outcome = (
        unit_effect[units]
        + period_effect[periods]
        + np.where(is_treated_unit, effect(relative), 0.0)
        + np.where(is_treated_unit & (relative < 0), pretrend_slope * relative, 0.0)
        + rng.normal(0.0, noise_sd, n_units * n_periods)
    )
    width = len(str(n_units))
    return pl.DataFrame(
        {
            UNIT: [f"u{i:0{width}d}" for i in units],
            PERIOD: periods,
            OUTCOME: outcome,
            FIRST_TREATED: pl.Series(first_long, dtype=pl.Int64),
        }
    ).with_columns(
        pl.when(pl.col(FIRST_TREATED) < 0)
        .then(None)
        .otherwise(pl.col(FIRST_TREATED))
        .alias(FIRST_TREATED)
    )
