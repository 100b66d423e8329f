"""Comparisons, the policy effect estimate and the claim checks on the real store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from sanctuary_atlas.analysis.comparisons import SURGE_2020_AORS, ComparisonError


def test_comparison_sums_published_cells_only(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        result = atlas.analysis.compare(
            "arrests_at_large", "policy:limits_detainers", "rest", level="state"
        )
        panel = atlas.measures.panel(
            "state", ["arrests_at_large"], date(2015, 10, 1), date(2019, 9, 30), result.treated
        )
    assert {"CA", "IL"} <= set(result.treated) and "TX" in result.control
    treated = result.series.filter(pl.col("group") == "treated").sort("month")
    by_month = (
        panel.group_by("month")
        .agg(
            pl.col("arrests_at_large").sum(), pl.col("arrests_at_large").null_count().alias("nulls")
        )
        .sort("month")
    )
    assert treated["value"].to_list() == by_month["arrests_at_large"].to_list()
    assert treated["suppressed_members"].to_list() == by_month["nulls"].to_list()
    assert not result.policy_dates.is_empty()
    assert set(result.policy_dates["area_code"]) <= set(result.treated)


def test_comparison_refuses_bad_sets(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        with pytest.raises(ComparisonError, match="unknown state area or selector 'XX'"):
            atlas.analysis.compare("arrests", "XX", "rest")
        with pytest.raises(ComparisonError, match="areas in both sets: CA"):
            atlas.analysis.compare("arrests", "CA,TX", "CA")
        with pytest.raises(ComparisonError, match="use --level aor"):
            atlas.analysis.compare("arrests", "surge2020", "rest", level="state")


def test_surge_aors_against_the_rest(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        result = atlas.analysis.compare(
            "detained_adp",
            "surge2020",
            "rest",
            level="aor",
            start=date(2020, 1, 1),
            end=date(2020, 12, 31),
            indexed=True,
        )
    assert result.treated == sorted(SURGE_2020_AORS)
    assert "HQ" not in result.control and "UNKNOWN" not in result.control
    first = result.series.filter(pl.col("month") == date(2020, 1, 1))
    assert (first["index"] == 100).all()


def test_california_2018_law_estimate(panel_store: Path, tmp_path: Path) -> None:
    """SB 54 (limits on notification from 2018-01-01) on custodial arrests, state x month."""
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        effect = atlas.analysis.estimate("limits_notification", "arrests_custodial", "state")
    adopters = dict(effect.adopters.iter_rows())
    assert adopters["CA"] == date(2018, 1, 1)
    assert [r.estimator for r in effect.results] == ["Callaway-Sant'Anna", "Sun-Abraham"]
    for result in effect.results:
        assert result.n_treated == len(adopters) and result.n_never_treated > 40
        assert result.ci_low <= result.att <= result.ci_high
        assert any("treated cluster" in c for c in result.caveats)
    assert any("placed in a state" in c for c in effect.caveats)
    json.dumps(effect.to_dict())
    png = effect.figure(tmp_path / "es.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_claims_state_figures_and_limits(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        checks = atlas.analysis.claims()
        with pytest.raises(ValueError, match="unknown claim"):
            atlas.analysis.claims(["moon_landing"])
    assert [c.key for c in checks] == [
        "at_large_without_cooperation",
        "detainer_limits_backlog",
        "surge_2020",
        "surge_2025",
    ]
    for check in checks:
        assert check.shows and len(check.limits) >= 3
        assert not check.figures.is_empty()
        json.dumps(check.to_dict())
        text = " ".join(check.shows).lower()
        for verdict in ("proves", "false", "true", "debunk", "confirms"):
            assert verdict not in text
    at_large = checks[0].figures
    share = at_large.group_by("group").agg(pl.col("at_large").sum() / pl.col("arrests").sum())
    treated_share = share.filter(pl.col("group") == "treated")["at_large"][0]
    assert f"{treated_share:.1%}" in checks[0].shows[0]


def test_surge_claims_name_their_operations_and_confounders(panel_store: Path) -> None:
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        surge_2020, surge_2025 = atlas.analysis.claims(["surge_2020", "surge_2025"])
    assert "COVID-19" in " ".join(surge_2020.limits)
    assert "book-in statistics have no AOR" in " ".join(surge_2020.limits)
    # the detention series and ICE's national book-ins, from the month before the deployment
    groups = set(surge_2020.figures["group"])
    assert {"treated", "control", "ICE book-ins, nation"} <= groups
    assert surge_2020.figures["month"].min() == date(2020, 1, 1)
    text = " ".join(surge_2025.shows)
    for name in ("Los Angeles", "Midway Blitz", "Charlotte", "Catahoula", "Metro Surge"):
        assert name in text, name
    assert "nationwide" not in text  # figures, no verdict: the limits carry the caveats
    assert "rose everywhere in 2025" in " ".join(surge_2025.limits)
    assert "(VisaVerge)" in surge_2025.comparison  # each operation's date with its source
    chicago = surge_2025.figures.filter(pl.col("group") == "CHI AOR")
    assert chicago["month"].min() == date(2025, 8, 1)
    assert chicago["month"].max() == date(2026, 2, 1)


def test_estimates_and_comparisons_state_coverage_and_refuse_it_too_low(
    panel_store: Path,
) -> None:
    """County at-large arrests: most of an AOR's are placed in no county (mean coverage about
    43%), so an estimate or comparison by county is refused with the reason; by state the
    coverage is stated beside the result."""
    with sanctuary_atlas.open(panel_store, read_only=True) as atlas:
        with pytest.raises(ValueError, match=r"refused at county level: coverage [1-4]\d%"):
            atlas.analysis.estimate("limits_detainers", "arrests_at_large", "county")
        with pytest.raises(ComparisonError, match="refused at county level"):
            atlas.analysis.compare("arrests_at_large", "17031", "rest", level="county")
        by_state = atlas.analysis.compare(
            "arrests_at_large", "IL", "rest", start=date(2017, 1, 1), end=date(2017, 12, 1)
        )
    assert by_state.coverage is not None and by_state.coverage.startswith("coverage ")
    assert by_state.to_dict()["coverage"] == by_state.coverage


def test_a_month_with_every_area_withheld_leaves_the_longest_unbroken_run() -> None:
    """On the default atlas every state's custodial arrests of April 2017 are withheld: the
    estimators need unbroken months, so the longest run is used and the gap is named."""
    from sanctuary_atlas.analysis.policy_effects import _longest_unbroken_run, month_text

    panel = pl.DataFrame(
        {
            "unit": ["a"] * 9,
            "period": [p for p in range(10) if p != 3],
            "outcome": [1.0] * 9,
            "first_treated": [None] * 9,
        }
    )
    kept, said = _longest_unbroken_run(panel)
    assert kept["period"].to_list() == list(range(4, 10))
    assert said is not None and said.startswith(month_text(3))
    assert month_text(4) in said and month_text(9) in said
    assert _longest_unbroken_run(kept) == (kept, None)
