"""Caveats an estimate must carry, derived from the data it was computed on.

Each caveat is a sentence a reader can act on, with the number that triggered it. The thresholds
are conventions, not laws; they are named here so every estimator applies the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from sanctuary_atlas.analysis.estimators.panel_input import PreparedPanel
from sanctuary_atlas.analysis.estimators.results import PretrendTest

# Cluster-robust SEs over-reject when few clusters are treated (MacKinnon & Webb 2017, "Wild
# bootstrap inference for wildly different cluster sizes"; Cameron & Miller 2015 suggest ~30-50).
FEW_TREATED_CLUSTERS = 30
FEW_CLUSTERS = 50
# With fewer untreated periods than this a cohort contributes little to the pre-trend test.
MIN_PRE_PERIODS = 4
SMALL_COHORT = 5


def data_caveats(prep: PreparedPanel) -> list[str]:
    """Caveats about the panel itself: clusters, cohorts, pre-periods, what was dropped."""
    notes: list[str] = []
    if prep.n_treated < FEW_TREATED_CLUSTERS:
        notes.append(
            f"only {prep.n_treated} treated cluster(s) (units): cluster-robust SEs and the "
            f"pre-trend test are unreliable with fewer than ~{FEW_TREATED_CLUSTERS} treated "
            "clusters; read the confidence intervals as too narrow"
        )
    if prep.n_units < FEW_CLUSTERS:
        notes.append(
            f"only {prep.n_units} clusters in all: asymptotic inference clustered by unit "
            "is approximate"
        )
    short = [g for g in prep.cohorts if prep.pre_periods(g) < MIN_PRE_PERIODS]
    if short:
        notes.append(
            f"{len(short)} treated cohort(s) have fewer than {MIN_PRE_PERIODS} pre-periods "
            f"(adopting in {prep.periods_text(short)}): their pre-trends are barely tested"
        )
    small = [g for g in prep.cohorts if prep.cohort_sizes[g] < SMALL_COHORT]
    if small:
        notes.append(
            f"{len(small)} cohort(s) have fewer than {SMALL_COHORT} units (adopting in "
            f"{prep.periods_text(small[:10])}{' and later' if len(small) > 10 else ''}): their "
            "cohort-level estimates rest on very few units"
        )
    if prep.n_excluded_units:
        notes.append(
            f"{prep.n_excluded_units} unit(s) adopted in the panel's first period(s) (at or "
            f"before {prep.period_label(prep.first_period + prep.anticipation)}) and have no "
            "untreated base period: excluded from the estimate"
        )
    if prep.n_missing_outcomes_dropped:
        notes.append(
            f"{prep.n_missing_outcomes_dropped} unit-period row(s) with a missing outcome "
            "were dropped"
        )
    if not prep.is_balanced:
        notes.append(
            "the panel is unbalanced (some units lack some periods): estimates use the "
            "observed unit-periods only"
        )
    if prep.anticipation:
        notes.append(
            f"anticipation = {prep.anticipation}: effects are measured against period "
            f"{-1 - prep.anticipation} relative to adoption, and relative periods "
            f"{-prep.anticipation} to -1 count as treated"
        )
    return notes


def result_caveats(
    pretrend: PretrendTest, event_study: pl.DataFrame, *, n_treated: int, n_cohorts: int
) -> list[str]:
    """Caveats about the estimate: the pre-trend test and thin event-study tails."""
    notes: list[str] = []
    if pretrend.n_restrictions == 0:
        notes.append("no pre-adoption estimates: parallel trends cannot be tested")
    elif pretrend.rejects(0.05) and n_treated < FEW_TREATED_CLUSTERS:
        # A Wald test built on a clustered covariance estimated from a handful of treated
        # clusters over-rejects badly, so a rejection here says little either way.
        notes.append(
            f"the pre-trend test rejects parallel pre-trends (p = {pretrend.p_value:.3g}), "
            f"but with {n_treated} treated cluster(s) it over-rejects: judge the pre-trends "
            "from the event study's leads, not from this p-value"
        )
    elif pretrend.rejects(0.05):
        notes.append(
            f"the pre-trend test rejects parallel pre-trends (p = {pretrend.p_value:.3g}): "
            "treated and comparison units were already diverging before adoption, so the "
            "estimate is likely biased"
        )
    if 0 < pretrend.df < pretrend.n_restrictions:
        notes.append(
            f"the pre-trend test has {pretrend.n_restrictions} restrictions but the clustered "
            f"covariance has rank {pretrend.df}: it uses a generalised inverse and has low power"
        )
    single = [
        int(e) for e in event_study.filter(pl.col("n_cohorts") == 1).get_column("relative_period")
    ]
    if single and n_cohorts > 1:
        notes.append(
            f"{len(single)} event-study period(s) rest on a single cohort (relative periods "
            f"{min(single)} to {max(single)} at the extremes): their composition differs "
            "from the rest of the event study"
        )
    return notes


def last_cohort_comparison(prep: PreparedPanel, *, only_last: bool) -> str:
    """The note for a panel with no never-treated units.

    Both estimators then keep only the periods before the last cohort adopts; Callaway-Sant'Anna
    compares with every not-yet-treated unit, Sun-Abraham with the last cohort only.
    """
    last = prep.cohorts[-1]
    comparison = (
        f"the last cohort to adopt ({prep.period_label(last)})"
        if only_last
        else f"not-yet-treated units, the last cohort to adopt ({prep.period_label(last)}) only "
        "as comparison"
    )
    return (
        f"no never-treated units: comparison is {comparison}; everything from "
        f"{prep.period_label(last - prep.anticipation)} on is dropped"
    )


# What the estimation libraries warn about the fit, said as caveats instead of on stderr.
_SINGLETONS = re.compile(r"(\d+) singleton fixed effect")
_ADOPT_AFTER_PANEL = re.compile(r"(\d+) entity-events ignored because the event \(cohort\) date")
_INFINITE_ROWS = re.compile(r"(\d+) rows with infinite values dropped")
_UNDEFINED_STATISTIC = re.compile(r"invalid value encountered in (scalar )?divide")


def library_caveats(messages: Sequence[str]) -> list[str]:
    """The warnings pyfixest and differences raised during a fit, in words. pyfixest's
    collinearity warning is left out: the estimator counts the dropped cells itself."""
    notes: list[str] = []
    for message in messages:
        text = " ".join(message.split())
        singletons = _SINGLETONS.search(text)
        late = _ADOPT_AFTER_PANEL.search(text)
        infinite = _INFINITE_ROWS.search(text)
        if _UNDEFINED_STATISTIC.search(text):
            notes.append(
                "some effects have a standard error of zero (an outcome that does not vary "
                "there): their intervals and tests say nothing"
            )
        elif infinite:
            notes.append(f"{infinite.group(1)} unit-month(s) with an infinite outcome left out")
        elif singletons:
            notes.append(
                f"{singletons.group(1)} singleton fixed effect(s) dropped: a unit or period "
                "with a single observation says nothing once its own effect is fitted"
            )
        elif late:
            notes.append(
                f"{late.group(1)} unit(s) adopt only after their last month with data: "
                "counted as never treated"
            )
        elif "multicollinearity" not in text:
            notes.append(f"the estimation library warned: {text}")
    return list(dict.fromkeys(notes))  # a warning raised once per coefficient is said once
