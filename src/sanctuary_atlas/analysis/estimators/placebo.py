"""Placebo (randomization) inference for panels with few treated units.

With one or a handful of treated units (a single state's law), cluster-robust standard errors
are far too small. A placebo test asks instead how unusual the estimate is among estimates
obtained by giving the same adoption dates to randomly chosen units: under the sharp null of no
effect anywhere, the actual assignment is one draw among many (Fisher randomization inference;
see Abadie, Diamond & Hainmueller 2010 and MacKinnon & Webb 2020, "Randomization inference for
difference-in-differences with few treated clusters").

The p-value is ``(1 + #{|placebo ATT| >= |ATT|}) / (1 + draws)``; it is exact under random
assignment of adoption dates across units, and only as good as that story otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

import numpy as np
import polars as pl

from sanctuary_atlas.analysis.estimators.callaway_santanna import callaway_santanna
from sanctuary_atlas.analysis.estimators.panel_input import FIRST_TREATED, UNIT
from sanctuary_atlas.analysis.estimators.results import DidResult, PlaceboTest
from sanctuary_atlas.analysis.estimators.sun_abraham import sun_abraham

Estimator = Literal["callaway_santanna", "sun_abraham"]


def _estimator_for(result: DidResult) -> Callable[[pl.DataFrame], DidResult]:
    if result.estimator.startswith("Callaway"):
        chosen: Estimator = "callaway_santanna"
    elif result.estimator.startswith("Sun"):
        chosen = "sun_abraham"
    else:
        raise ValueError(f"no placebo test for estimator {result.estimator!r}")
    anticipation = result.anticipation
    if chosen == "callaway_santanna":
        control = result.control_group
        if control not in ("never_treated", "not_yet_treated"):  # pragma: no cover - guard
            raise ValueError(f"unexpected control group {control!r}")
        return lambda p: callaway_santanna(
            p,
            control="never_treated" if control == "never_treated" else "not_yet_treated",
            anticipation=anticipation,
        )
    return lambda p: sun_abraham(p, anticipation=anticipation)


def placebo_test(
    result: DidResult, panel: pl.DataFrame, *, draws: int = 199, seed: int = 0
) -> DidResult:
    """Return ``result`` with a placebo p-value added (as ``placebo`` and as a caveat line).

    ``panel`` must be the panel ``result`` was estimated from. Each draw shuffles the units'
    ``first_treated`` values (so the number of units adopting in each period is kept) and
    re-estimates with the same estimator and options. Cost: ``draws`` estimates; meant for small
    panels (states, AORs), where it matters most.
    """
    if draws < 19:
        raise ValueError(f"draws must be at least 19 for a p-value below 0.05, got {draws}")
    estimate = _estimator_for(result)
    adoption = panel.group_by(UNIT).agg(pl.col(FIRST_TREATED).first()).sort(UNIT)
    values = adoption.get_column(FIRST_TREATED)
    rng = np.random.default_rng(seed)
    placebo: list[float] = []
    for _ in range(draws):
        shuffled = adoption.with_columns(
            pl.Series(FIRST_TREATED, values.gather(rng.permutation(values.len())))
        )
        permuted = panel.drop(FIRST_TREATED).join(shuffled, on=UNIT, how="left")
        placebo.append(estimate(permuted).att)
    extreme = sum(abs(a) >= abs(result.att) for a in placebo if np.isfinite(a))
    p_value = (1 + extreme) / (1 + draws)
    test = PlaceboTest(result.att, tuple(placebo), p_value, draws, seed)
    note = (
        f"placebo test: p = {p_value:.3g}, the share of {draws} random reassignments of the "
        "adoption dates across units giving an ATT at least as large in absolute value"
    )
    return dataclasses.replace(result, placebo=test, caveats=[*result.caveats, note])
