"""Both estimators recover a known effect on a 3,000 x 48 staggered panel, and catch a pre-trend.

The full-size panel is the one the issue names (3,000 units x 48 months, five adoption cohorts
plus never-treated units, unit and period fixed effects, noise); its true effect is dynamic, so a
wrong weighting of cohorts or periods would miss it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest

from sanctuary_atlas.analysis.estimators import (
    DidResult,
    callaway_santanna,
    sun_abraham,
    synthetic_panel,
)


def dynamic_effect(relative: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """3 at adoption, growing by 0.1 a month for a year, then flat at 4.2."""
    return np.where(relative >= 0, 3.0 + 0.1 * np.minimum(relative, 12), 0.0)


def true_att(panel: pl.DataFrame) -> float:
    """The average effect over every treated unit-period after adoption."""
    relative = (
        panel.filter(pl.col("first_treated").is_not_null())
        .select(pl.col("period") - pl.col("first_treated"))
        .to_series()
        .to_numpy()
    )
    return float(dynamic_effect(relative[relative >= 0]).mean())


@pytest.fixture(scope="module")
def full_panel() -> pl.DataFrame:
    return synthetic_panel(n_units=3000, n_periods=48, effect=dynamic_effect, seed=11)


@pytest.fixture(scope="module")
def full_results(full_panel: pl.DataFrame) -> dict[str, DidResult]:
    return {"cs": callaway_santanna(full_panel), "sa": sun_abraham(full_panel)}


@pytest.mark.parametrize("name", ["cs", "sa"])
def test_overall_att_covers_the_truth(
    full_panel: pl.DataFrame, full_results: dict[str, DidResult], name: str
) -> None:
    result = full_results[name]
    truth = true_att(full_panel)
    assert result.ci_low <= truth <= result.ci_high, (result.att, result.se, truth)
    assert abs(result.att - truth) < 0.1
    assert 0 < result.se < 0.1
    assert result.n_units == 3000
    assert result.n_periods == 48
    assert result.n_cohorts == 5
    assert result.n_treated + result.n_never_treated == 3000
    assert 1000 < result.n_never_treated < 1400


@pytest.mark.parametrize("name", ["cs", "sa"])
def test_event_study_tracks_the_dynamic_effect(
    full_results: dict[str, DidResult], name: str
) -> None:
    es = full_results[name].event_study
    post = es.filter(pl.col("relative_period") >= 0)
    truth = dynamic_effect(post.get_column("relative_period").to_numpy())
    covered = (post.get_column("ci_low").to_numpy() <= truth) & (
        truth <= post.get_column("ci_high").to_numpy()
    )
    # 95% intervals: a few of ~36 may miss by chance, many may not.
    assert covered.mean() >= 0.85, covered
    assert np.abs(post.get_column("estimate").to_numpy() - truth).max() < 0.4
    pre = es.filter(pl.col("relative_period") < -1)
    assert np.abs(pre.get_column("estimate").to_numpy()).max() < 0.4
    reference = es.filter(pl.col("relative_period") == -1).row(0, named=True)
    assert reference["estimate"] == 0.0
    assert reference["se"] == 0.0


@pytest.mark.parametrize("name", ["cs", "sa"])
def test_pretrend_test_does_not_reject_parallel_trends(
    full_results: dict[str, DidResult], name: str
) -> None:
    test = full_results[name].pretrend
    assert test.p_value > 0.05, test
    assert test.df == test.n_restrictions > 50
    assert not any("pre-trend test rejects" in c for c in full_results[name].caveats)


def test_the_two_estimators_agree(full_results: dict[str, DidResult]) -> None:
    # With never-treated controls and no covariates, CS (universal base period, outcome
    # regression) and the saturated Sun-Abraham regression estimate the same cohort cells.
    cs, sa = full_results["cs"], full_results["sa"]
    assert abs(cs.att - sa.att) < 1e-6
    joined = cs.event_study.join(sa.event_study, on="relative_period", suffix="_sa")
    assert joined.height == cs.event_study.height
    diff = (joined.get_column("estimate") - joined.get_column("estimate_sa")).abs().max()
    assert isinstance(diff, float) and diff < 1e-6


@pytest.fixture(scope="module")
def pretrend_panel() -> pl.DataFrame:
    # Treated units drift up by 0.03 a month before they adopt.
    return synthetic_panel(
        n_units=800, n_periods=36, cohorts=(12, 18, 24), pretrend_slope=0.03, seed=5
    )


@pytest.mark.parametrize("estimator", [callaway_santanna, sun_abraham])
def test_pretrend_test_rejects_a_built_in_pretrend(
    pretrend_panel: pl.DataFrame, estimator: object
) -> None:
    assert callable(estimator)
    result = estimator(pretrend_panel)
    assert isinstance(result, DidResult)
    assert result.pretrend.p_value < 0.001, result.pretrend
    assert result.pretrend.rejects()
    assert any("pre-trend test rejects" in c for c in result.caveats)
    # The drift shows in the event study's leads: earlier leads sit further below zero.
    early = result.event_study.filter(pl.col("relative_period") == -10).get_column("estimate")
    assert early.item() < -0.15


def test_not_yet_treated_comparison_also_recovers_the_effect() -> None:
    panel = synthetic_panel(n_units=600, n_periods=30, cohorts=(10, 15, 20), seed=3)
    result = callaway_santanna(panel, control="not_yet_treated")
    assert result.control_group == "not_yet_treated"
    assert result.ci_low <= 5.0 <= result.ci_high


def test_anticipation_moves_the_reference_period() -> None:
    # The effect starts one period before adoption (announcement effect).
    def early(relative: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return np.where(relative >= -1, 5.0, 0.0)

    panel = synthetic_panel(n_units=600, n_periods=30, cohorts=(10, 15, 20), effect=early, seed=4)
    naive = callaway_santanna(panel)
    assert naive.pretrend.rejects()
    for estimator in (callaway_santanna, sun_abraham):
        result = estimator(panel, anticipation=1)
        assert result.reference_period == -2
        assert not result.pretrend.rejects(), result.pretrend
        assert result.ci_low <= 5.0 <= result.ci_high
        assert any("anticipation = 1" in c for c in result.caveats)
