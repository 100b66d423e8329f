"""Sun & Abraham (2021) interaction-weighted event study with ``pyfixest``.

The regression is the saturated two-way fixed-effects event study: one indicator per treated
cohort x relative period (except the reference period ``-1 - anticipation``), unit and period
fixed effects, SEs clustered by unit (CRV1)::

    outcome ~ i(cell, ref="ref") | unit + period

``cell`` is built here (``c{cohort}_r{relative period}``, and ``"ref"`` for comparison units and
reference periods) rather than with pyfixest's beta ``SaturatedEventStudy``, so that weights,
anticipation and a last-treated comparison cohort are handled explicitly.

Comparison units are the never-treated. Without any, the last cohort to adopt is the comparison
(Sun & Abraham 2021, section 4) and periods from its adoption on are dropped.

Aggregation (the "interaction-weighted" estimator): the event-study effect at relative period e
averages the cohort cells at e with weights equal to each cohort's share of the observations (or
of the weight) at e; the overall ATT averages every post-adoption cell weighted by its share of
all treated post-adoption observations, the same weighting as Callaway-Sant'Anna's "simple"
aggregation. SEs are by the delta method, taking the shares as fixed. The pre-trend test is the
Wald test that every pre-adoption cohort cell is zero.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import pyfixest as pf

from sanctuary_atlas.analysis.estimators.caveats import (
    data_caveats,
    last_cohort_comparison,
    library_caveats,
    result_caveats,
)
from sanctuary_atlas.analysis.estimators.panel_input import (
    FIRST_TREATED,
    OUTCOME,
    PERIOD,
    UNIT,
    WEIGHT,
    PanelError,
    PreparedPanel,
    prepare_panel,
)
from sanctuary_atlas.analysis.estimators.results import (
    EVENT_STUDY_SCHEMA,
    DidResult,
    ci_columns,
    normal_ci,
    wald_test,
)

ESTIMATOR = "Sun-Abraham"
_CELL = "cell"
_CELL_NAME = re.compile(r"c(-?\d+)_r(-?\d+)")


def _estimation_frame(prep: PreparedPanel) -> tuple[pl.DataFrame, str, int | None]:
    """The rows to regress, with the cohort x relative-period cell of each row.

    Returns the frame, the comparison group's name and the comparison cohort (None when the
    comparison is the never-treated units).
    """
    frame = prep.frame
    control_cohort: int | None = None
    control = "never_treated"
    if prep.n_never_treated == 0:
        if len(prep.cohorts) < 2:
            raise PanelError(
                "panel has one treated cohort and no never-treated units: there is no comparison"
            )
        control_cohort = prep.cohorts[-1]
        control = "last_treated"
        frame = frame.filter(pl.col(PERIOD) < control_cohort - prep.anticipation).with_columns(
            pl.when(pl.col(FIRST_TREATED) == control_cohort)
            .then(None)
            .otherwise(pl.col(FIRST_TREATED))
            .alias(FIRST_TREATED)
        )
    reference = -1 - prep.anticipation
    relative = pl.col(PERIOD) - pl.col(FIRST_TREATED)
    frame = frame.with_columns(relative.alias("relative_period")).with_columns(
        pl.when(pl.col(FIRST_TREATED).is_null() | (pl.col("relative_period") == reference))
        .then(pl.lit("ref"))
        .otherwise(pl.format("c{}_r{}", pl.col(FIRST_TREATED), pl.col("relative_period")))
        .alias(_CELL)
    )
    return frame, control, control_cohort


def _cell_shares(frame: pl.DataFrame, has_weights: bool) -> pl.DataFrame:
    """Observations (or weight) per treated cohort x relative-period cell."""
    mass = pl.col(WEIGHT).sum() if has_weights else pl.len().cast(pl.Float64)
    return (
        frame.filter(pl.col(_CELL) != "ref")
        .group_by(FIRST_TREATED, "relative_period")
        .agg(mass.alias("mass"))
        .rename({FIRST_TREATED: "cohort"})
    )


def _lincomb(
    weights: npt.NDArray[np.float64], beta: npt.NDArray[np.float64], vcov: npt.NDArray[np.float64]
) -> tuple[float, float]:
    variance = float(weights @ vcov @ weights)
    return float(weights @ beta), float(np.sqrt(max(variance, 0.0)))


def sun_abraham(
    panel: pl.DataFrame,
    *,
    anticipation: int = 0,
    drop_missing_outcomes: bool = False,
    caveats: Sequence[str] = (),
    period_label: Callable[[int], str] | None = None,
) -> DidResult:
    """Estimate the effect of adoption with Sun & Abraham's interaction-weighted event study.

    ``panel`` has columns unit, period, outcome, first_treated (null = never treated) and an
    optional weight (constant within a unit), used as regression weights. ``caveats`` are the
    caller's own notes about the data, printed with the ones found here.
    """
    prep = prepare_panel(
        panel,
        anticipation=anticipation,
        drop_missing_outcomes=drop_missing_outcomes,
        period_label=period_label,
    )
    frame, control, control_cohort = _estimation_frame(prep)
    if frame.get_column(_CELL).eq("ref").all():
        raise PanelError("no treated unit-period outside the reference period to estimate from")

    columns = [UNIT, PERIOD, OUTCOME, _CELL, *([WEIGHT] if prep.has_weights else [])]
    data = pd.DataFrame({c: frame.get_column(c).to_numpy() for c in columns})
    with warnings.catch_warnings(record=True) as said:
        # Nothing pyfixest says reaches stderr: its pandas idioms raise deprecation warnings the
        # caller cannot act on (dropped); what it says about the fit becomes a caveat below.
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        fit = pf.feols(
            f"{OUTCOME} ~ i({_CELL}, ref='ref') | {UNIT} + {PERIOD}",
            data=data,
            vcov={"CRV1": UNIT},
            weights=WEIGHT if prep.has_weights else None,
        )
        coef = fit.coef()
        vcov = np.asarray(fit._vcov, dtype=float)  # as pyfixest's own aggregation reads it
    names = [str(n) for n in coef.index]
    beta = coef.to_numpy(dtype=float)
    parsed = [_CELL_NAME.search(n) for n in names]
    if any(m is None for m in parsed):  # pragma: no cover - version guard
        raise RuntimeError(f"unexpected pyfixest coefficient names: {names[:5]}")
    cells = pl.DataFrame(
        {
            "cohort": [int(m.group(1)) for m in parsed if m],
            "relative_period": [int(m.group(2)) for m in parsed if m],
            "index": list(range(len(names))),
        },
        schema={"cohort": pl.Int64, "relative_period": pl.Int64, "index": pl.Int64},
    ).join(_cell_shares(frame, prep.has_weights), on=["cohort", "relative_period"], how="left")

    se_cells = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    group_time = (
        cells.with_columns(
            (pl.col("cohort") + pl.col("relative_period")).alias("period"),
            pl.Series("estimate", beta[cells.get_column("index").to_numpy()]),
            pl.Series("se", se_cells[cells.get_column("index").to_numpy()]),
        )
        .with_columns(*ci_columns())
        .select("cohort", "period", "relative_period", "estimate", "se", "ci_low", "ci_high")
        .sort("cohort", "period")
    )

    reference = -1 - anticipation
    rows: list[tuple[int, float, float, int]] = []
    n_all_cohorts = cells.get_column("cohort").n_unique()
    for (e,), at_e in cells.sort("relative_period").group_by(
        "relative_period", maintain_order=True
    ):
        weights = np.zeros(len(beta))
        mass = at_e.get_column("mass").to_numpy()
        weights[at_e.get_column("index").to_numpy()] = mass / mass.sum()
        estimate, se = _lincomb(weights, beta, vcov)
        rows.append((int(e), estimate, se, at_e.height))
    rows.append((reference, 0.0, 0.0, n_all_cohorts))
    event_study = (
        pl.DataFrame(
            rows,
            schema={
                "relative_period": pl.Int64,
                "estimate": pl.Float64,
                "se": pl.Float64,
                "n_cohorts": pl.Int64,
            },
            orient="row",
        )
        .with_columns(*ci_columns())
        .select(list(EVENT_STUDY_SCHEMA))
        .sort("relative_period")
    )

    post = cells.filter(pl.col("relative_period") >= -anticipation)
    weights = np.zeros(len(beta))
    weights[post.get_column("index").to_numpy()] = (
        post.get_column("mass").to_numpy() / post.get_column("mass").sum()
    )
    att, se = _lincomb(weights, beta, vcov)
    ci_low, ci_high = normal_ci(att, se)

    pre_index = cells.filter(pl.col("relative_period") < reference).get_column("index").to_numpy()
    pretrend = wald_test(
        beta[pre_index], vcov[np.ix_(pre_index, pre_index)], level="cohort x relative period"
    )

    n_treated = prep.n_treated - (
        prep.cohort_sizes[control_cohort] if control_cohort is not None else 0
    )
    n_cohorts = cells.get_column("cohort").n_unique()
    notes = [
        *caveats,
        *data_caveats(prep),
        *result_caveats(pretrend, event_study, n_treated=n_treated, n_cohorts=n_cohorts),
    ]
    if control_cohort is not None:
        notes.append(last_cohort_comparison(prep, only_last=True))
    collinear = list(getattr(fit, "_collin_vars", []) or [])
    if collinear:
        notes.append(f"{len(collinear)} cohort x period cell(s) dropped as collinear")
    notes.extend(library_caveats([str(w.message) for w in said]))
    return DidResult(
        estimator=ESTIMATOR,
        control_group=control,
        anticipation=anticipation,
        att=att,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        event_study=event_study,
        group_time=group_time,
        pretrend=pretrend,
        n_units=prep.n_units,
        n_treated=n_treated,
        n_never_treated=prep.n_never_treated,
        n_cohorts=n_cohorts,
        n_periods=frame.get_column(PERIOD).n_unique(),
        n_obs=frame.height,
        caveats=notes,
    )
