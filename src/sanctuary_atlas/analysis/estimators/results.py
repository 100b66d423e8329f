"""The result of a staggered difference-in-differences estimate, as the atlas shows it.

A :class:`DidResult` carries the numbers (overall ATT, event study, pre-trend test), the counts a
reader needs to judge them (units, treated, never treated, cohorts, periods) and the caveats the
estimator found in the data. It prints, tidies and serialises itself; the caveats always travel
with the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

Z_95 = float(stats.norm.ppf(0.975))

EVENT_STUDY_SCHEMA = pl.Schema(
    {
        "relative_period": pl.Int64(),
        "estimate": pl.Float64(),
        "se": pl.Float64(),
        "ci_low": pl.Float64(),
        "ci_high": pl.Float64(),
        "n_cohorts": pl.Int64(),
    }
)


@dataclass(frozen=True)
class PretrendTest:
    """Joint Wald test that every pre-adoption effect is zero (chi-squared, ``df`` restrictions).

    ``df`` is the rank of the covariance of the pre-period estimates; when it is below
    ``n_restrictions`` the statistic uses a generalised inverse (more restrictions than the
    clusters can inform).
    """

    statistic: float
    df: int
    p_value: float
    n_restrictions: int
    level: str

    def rejects(self, alpha: float = 0.05) -> bool:
        return not math.isnan(self.p_value) and self.p_value < alpha


@dataclass(frozen=True)
class PlaceboTest:
    """Where the observed ATT falls among ATTs with adoption dates given to random units."""

    observed_att: float
    placebo_atts: tuple[float, ...]
    p_value: float
    draws: int
    seed: int

    def to_dict(self) -> dict[str, float | int | list[float]]:
        return {
            "observed_att": self.observed_att,
            "p_value": self.p_value,
            "draws": self.draws,
            "seed": self.seed,
            "placebo_att_quantiles": [
                float(q) for q in np.quantile(self.placebo_atts, [0.025, 0.5, 0.975])
            ],
        }


def wald_test(
    estimates: npt.NDArray[np.float64], vcov: npt.NDArray[np.float64], *, level: str
) -> PretrendTest:
    """Chi-squared Wald test of ``estimates == 0`` given their covariance ``vcov``."""
    q = int(estimates.shape[0])
    if q == 0:
        return PretrendTest(math.nan, 0, math.nan, 0, level)
    # A clustered covariance with few clusters is singular and, numerically, slightly
    # indefinite: invert it on its clearly positive eigenvalues only, so that the statistic
    # cannot come out negative (a plain pseudo-inverse gave -8e14 on a two-cluster panel).
    symmetric = (vcov + vcov.T) / 2
    values, vectors = np.linalg.eigh(symmetric)
    keep = values > max(float(values.max(initial=0.0)), 0.0) * 1e-10
    rank = int(keep.sum())
    if rank == 0:
        return PretrendTest(math.nan, 0, math.nan, q, level)
    projected = vectors[:, keep].T @ estimates
    statistic = float(np.sum(projected**2 / values[keep]))
    return PretrendTest(statistic, rank, float(stats.chi2.sf(statistic, rank)), q, level)


def normal_ci(estimate: float, se: float) -> tuple[float, float]:
    return estimate - Z_95 * se, estimate + Z_95 * se


def ci_columns() -> list[pl.Expr]:
    """``normal_ci`` for frames: ``ci_low`` and ``ci_high`` from ``estimate`` and ``se``."""
    return [
        (pl.col("estimate") - Z_95 * pl.col("se")).alias("ci_low"),
        (pl.col("estimate") + Z_95 * pl.col("se")).alias("ci_high"),
    ]


def _json_number(value: float | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: _json_number(v) if isinstance(v, float | int) else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def _fmt(value: float, digits: int = 4) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}g}"


@dataclass(frozen=True, eq=False)
class DidResult:
    """One estimate of a policy's effect under staggered adoption.

    ``att`` is the average effect over every treated unit-period after adoption (each
    cohort x period cell weighted by the cohort's size). ``event_study`` has one row per period
    relative to adoption (0 = first treated period); the reference period ``-1 - anticipation``
    is included with estimate 0 and se 0. ``group_time`` holds the cohort-level estimates the
    aggregates are built from (ATT(g,t) or the Sun-Abraham cohort x relative-period cells).
    """

    estimator: str
    control_group: str
    anticipation: int
    att: float
    se: float
    ci_low: float
    ci_high: float
    event_study: pl.DataFrame
    group_time: pl.DataFrame
    pretrend: PretrendTest
    n_units: int
    n_treated: int
    n_never_treated: int
    n_cohorts: int
    n_periods: int
    n_obs: int
    caveats: list[str] = field(default_factory=list)
    placebo: PlaceboTest | None = None

    @property
    def reference_period(self) -> int:
        return -1 - self.anticipation

    def tidy(self) -> pl.DataFrame:
        """One row per estimate: the overall ATT (``term='att'``) then each event-time effect."""
        overall = pl.DataFrame(
            {
                "estimator": [self.estimator],
                "term": ["att"],
                "relative_period": [None],
                "estimate": [self.att],
                "se": [self.se],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
            },
            schema_overrides={"relative_period": pl.Int64},
        )
        events = self.event_study.select(
            pl.lit(self.estimator).alias("estimator"),
            pl.format("event:{}", pl.col("relative_period")).alias("term"),
            "relative_period",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
        )
        return pl.concat([overall, events], how="vertical")

    def to_dict(self) -> dict[str, Any]:
        """Every number, count and caveat as JSON-safe values (NaN and infinity become None)."""
        return {
            "estimator": self.estimator,
            "control_group": self.control_group,
            "anticipation": self.anticipation,
            "att": _json_number(self.att),
            "se": _json_number(self.se),
            "ci_low": _json_number(self.ci_low),
            "ci_high": _json_number(self.ci_high),
            "pretrend_test": {
                "statistic": _json_number(self.pretrend.statistic),
                "df": self.pretrend.df,
                "p_value": _json_number(self.pretrend.p_value),
                "n_restrictions": self.pretrend.n_restrictions,
                "level": self.pretrend.level,
            },
            "n_units": self.n_units,
            "n_treated": self.n_treated,
            "n_never_treated": self.n_never_treated,
            "n_cohorts": self.n_cohorts,
            "n_periods": self.n_periods,
            "n_obs": self.n_obs,
            "event_study": _frame_records(self.event_study),
            "placebo_test": self.placebo.to_dict() if self.placebo else None,
            "caveats": list(self.caveats),
        }

    def summary(self) -> str:
        """A plain-text report: the numbers first, each caveat printed right below them."""
        lines = [
            f"{self.estimator} (control: {self.control_group.replace('_', '-')}, "
            f"anticipation: {self.anticipation})",
            f"  ATT  {_fmt(self.att)}  (SE {_fmt(self.se)}, 95% CI "
            f"{_fmt(self.ci_low)} to {_fmt(self.ci_high)}; SEs clustered by unit)",
            f"  pre-trend test: chi2 = {_fmt(self.pretrend.statistic)}, df = {self.pretrend.df}, "
            f"p = {_fmt(self.pretrend.p_value, 3)}",
            *(
                [
                    f"  placebo test: p = {_fmt(self.placebo.p_value, 3)} "
                    f"({self.placebo.draws} reassignments of adoption dates)"
                ]
                if self.placebo
                else []
            ),
            f"  units {self.n_units} (treated {self.n_treated} in {self.n_cohorts} cohort(s), "
            f"never treated {self.n_never_treated}); periods {self.n_periods}; "
            f"observations {self.n_obs}",
        ]
        lines.append("  caveats:" if self.caveats else "  caveats: none found in the data")
        lines.extend(f"   - {c}" for c in self.caveats)
        post = self.event_study.filter(pl.col("relative_period") >= -self.anticipation)
        pre = self.event_study.filter(pl.col("relative_period") < self.reference_period)
        lines.append("  event study (relative period: estimate [95% CI]):")
        for part in (pre.tail(6), post.head(12)):
            for row in part.iter_rows(named=True):
                lines.append(
                    f"    {row['relative_period']:>4}: {_fmt(row['estimate'])} "
                    f"[{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
