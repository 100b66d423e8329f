"""Callaway & Sant'Anna (2021) group-time ATTs with the ``differences`` package.

Choices, and why:

- ``base_period="universal"``: every pre-adoption ATT(g,t) is measured against the same period
  (``g - 1 - anticipation``), so the event study's pre-periods are long differences comparable
  with Sun-Abraham's (Roth 2024, "Interpreting event-studies from recent difference-in-differences
  methods"). Post-adoption ATT(g,t) are the same under either base period.
- outcome regression (``est_method="reg"``) with no covariates: the unconditional estimator, the
  same as doubly robust when there is nothing to condition on, and the fastest.
- standard errors are analytic, from the influence functions at the unit level, i.e. clustered
  by unit (the package's default for panel data).
- the overall ATT is the "simple" aggregation: every post-adoption ATT(g,t) weighted by the size
  of cohort g. The pre-trend test is the Wald test of all pre-adoption ATT(g,t) = 0 (as in R's
  ``did``), computed here from the influence functions because ``ATTgt.wald_pre_test`` fails in
  ``differences`` 0.3.0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
from differences import ATTgt
from scipy import sparse

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
    PretrendTest,
    ci_columns,
    normal_ci,
    wald_test,
)

ControlGroup = Literal["never_treated", "not_yet_treated"]
ESTIMATOR = "Callaway-Sant'Anna"


def _to_pandas(prep: PreparedPanel) -> pd.DataFrame:
    columns = [UNIT, PERIOD, OUTCOME, FIRST_TREATED, *([WEIGHT] if prep.has_weights else [])]
    frame = prep.frame.select(columns).with_columns(pl.col(FIRST_TREATED).cast(pl.Float64))
    data = pd.DataFrame({c: frame.get_column(c).to_numpy() for c in columns})
    # differences wants never-treated cohorts as NaN, an (entity, time) index.
    return data.set_index([UNIT, PERIOD])


def _group_time_elements(model: ATTgt) -> list[Any]:
    """The fitted ATT(g,t) records, with their influence functions.

    ``differences`` keeps them in a private dict; fail loudly if a new version moves them.
    """
    try:
        elements = model._result_dict["full_sample"]["ATTgt_ntl"]
    except (AttributeError, KeyError, TypeError) as exc:  # pragma: no cover - version guard
        raise RuntimeError(
            "differences no longer exposes ATT(g,t) influence functions where expected "
            "(ATTgt._result_dict['full_sample']['ATTgt_ntl']); pin differences==0.3.*"
        ) from exc
    return list(elements)


def _last_level(frame: pd.DataFrame) -> pd.DataFrame:
    flat = frame.copy()
    flat.columns = [c[-1] if isinstance(c, tuple) else c for c in flat.columns]
    return flat


def _group_time_frame(elements: list[Any]) -> pl.DataFrame:
    rows = [
        (int(e.cohort), int(e.time), float(e.ATT), float(e.std_error))
        for e in elements
        if e.ATT is not None and not np.isnan(e.ATT)
    ]
    frame = pl.DataFrame(
        rows,
        schema={"cohort": pl.Int64, "period": pl.Int64, "estimate": pl.Float64, "se": pl.Float64},
        orient="row",
    )
    return frame.with_columns(
        (pl.col("period") - pl.col("cohort")).alias("relative_period"),
        pl.col("se").fill_nan(0.0),
    ).with_columns(*ci_columns())


def _pretrend(elements: list[Any], anticipation: int) -> PretrendTest:
    pre = [
        e
        for e in elements
        if e.time < e.cohort - anticipation
        and e.time != e.cohort - 1 - anticipation
        and e.ATT is not None
        and not np.isnan(e.ATT)
        and e.influence_func is not None
    ]
    pre = [e for e in pre if (e.influence_func.nnz if sparse.issparse(e.influence_func) else 1)]
    if not pre:
        return wald_test(np.zeros(0), np.zeros((0, 0)), level="ATT(g,t)")
    funcs = [
        e.influence_func.toarray().ravel()
        if sparse.issparse(e.influence_func)
        else np.asarray(e.influence_func, dtype=float).ravel()
        for e in pre
    ]
    influence: npt.NDArray[np.float64] = np.column_stack(funcs)
    n = influence.shape[0]
    vcov = influence.T @ influence / n**2
    estimates = np.array([float(e.ATT) for e in pre])
    return wald_test(estimates, vcov, level="ATT(g,t)")


def _event_study(model: ATTgt, group_time: pl.DataFrame, anticipation: int) -> pl.DataFrame:
    raw = _last_level(model.aggregate("event"))
    cohorts_at = group_time.group_by("relative_period").agg(pl.len().alias("n_cohorts"))
    frame = pl.DataFrame(
        {
            "relative_period": np.asarray(raw.index, dtype=np.int64),
            "estimate": raw["ATT"].to_numpy(dtype=float),
            "se": raw["std_error"].to_numpy(dtype=float),
        }
    )
    reference = pl.col("relative_period") == -1 - anticipation
    frame = frame.with_columns(
        pl.when(reference).then(0.0).otherwise(pl.col("se").fill_nan(None)).alias("se")
    )
    return (
        frame.with_columns(*ci_columns())
        .join(cohorts_at, on="relative_period", how="left")
        .with_columns(pl.col("n_cohorts").fill_null(0).cast(pl.Int64))
        .select(list(EVENT_STUDY_SCHEMA))
        .cast(EVENT_STUDY_SCHEMA)
        .sort("relative_period")
    )


def callaway_santanna(
    panel: pl.DataFrame,
    *,
    control: ControlGroup = "never_treated",
    anticipation: int = 0,
    drop_missing_outcomes: bool = False,
    caveats: Sequence[str] = (),
    period_label: Callable[[int], str] | None = None,
) -> DidResult:
    """Estimate the effect of adoption with Callaway & Sant'Anna's group-time ATTs.

    ``panel`` has columns unit, period, outcome, first_treated (null = never treated) and an
    optional weight (constant within a unit). ``control`` picks the comparison units; when it is
    ``"never_treated"`` and the panel has none, not-yet-treated units are used and a caveat says
    so. ``caveats`` are the caller's own notes about the data (geography coverage, partial
    fiscal years), printed with the ones found here.
    """
    if control not in ("never_treated", "not_yet_treated"):
        raise PanelError(f"control must be 'never_treated' or 'not_yet_treated', got {control!r}")
    prep = prepare_panel(
        panel,
        anticipation=anticipation,
        drop_missing_outcomes=drop_missing_outcomes,
        period_label=period_label,
    )
    used: ControlGroup = control
    if control == "never_treated" and prep.n_never_treated == 0:
        used = "not_yet_treated"
    if used == "not_yet_treated" and prep.n_never_treated == 0 and len(prep.cohorts) < 2:
        raise PanelError(
            "panel has one treated cohort and no never-treated units: there is no comparison"
        )

    with warnings.catch_warnings(record=True) as said:
        # Nothing differences says reaches stderr: its pandas deprecation warnings are nothing
        # the caller can act on (dropped); "no never treated entities" is a caveat below, and
        # what else it says about the fit becomes one too.
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="No never treated entities")
        model = ATTgt(
            data=_to_pandas(prep),
            cohort_column=FIRST_TREATED,
            base_period="universal",
            anticipation=anticipation,
        )
        model.fit(
            OUTCOME,
            est_method="reg",
            control_group=used,
            weights_column=WEIGHT if prep.has_weights else None,
            progress_bar=False,
        )
        elements = _group_time_elements(model)
        if not elements:
            raise PanelError(
                "no cohort has an estimable group-time effect: every treated unit lacks its "
                "base month or a comparison in the months after adoption (missing outcomes?)"
            )
        group_time = _group_time_frame(elements)
        try:
            overall = _last_level(model.aggregate("simple"))
            event_study = _event_study(model, group_time, anticipation)
        except (IndexError, ValueError) as exc:
            # differences' own message ("index 0 is out of bounds ...") means nothing to a
            # reader; it stays on the exception chain for whoever debugs it
            raise PanelError(
                f"its {len(elements)} group-time effect(s) could not be combined into an "
                "average effect: too few cohorts have months estimable both before and after "
                "adoption"
            ) from exc

    att = float(overall["ATT"].iloc[0])
    se = float(overall["std_error"].iloc[0])
    ci_low, ci_high = normal_ci(att, se)
    pretrend = _pretrend(elements, anticipation)
    notes = [*caveats, *data_caveats(prep)]
    # Without never-treated units, differences makes the last cohort the comparison group and
    # keeps only the periods before it adopts (as Sun & Abraham do); count what was estimated.
    n_treated, n_cohorts, n_obs = prep.n_treated, len(prep.cohorts), prep.frame.height
    n_periods = prep.n_periods
    if prep.n_never_treated == 0:
        notes.append(last_cohort_comparison(prep, only_last=False))
        last = prep.cohorts[-1]
        n_treated -= prep.cohort_sizes[last]
        n_cohorts -= 1
        n_periods = last - prep.anticipation - prep.first_period
        n_obs = prep.frame.filter(pl.col(PERIOD) < last - prep.anticipation).height
    notes += result_caveats(pretrend, event_study, n_treated=n_treated, n_cohorts=n_cohorts)
    notes += library_caveats([str(w.message) for w in said])
    return DidResult(
        estimator=ESTIMATOR,
        control_group=used,
        anticipation=anticipation,
        att=att,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        event_study=event_study,
        group_time=group_time.select(
            "cohort", "period", "relative_period", "estimate", "se", "ci_low", "ci_high"
        ),
        pretrend=pretrend,
        n_units=prep.n_units,
        n_treated=n_treated,
        n_never_treated=prep.n_never_treated,
        n_cohorts=n_cohorts,
        n_periods=n_periods,
        n_obs=n_obs,
        caveats=notes,
    )
