"""The event-study figure: effects by period relative to adoption, one series per estimator.

Drawn with matplotlib's Agg backend, so it renders to a PNG file with no display and no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from sanctuary_atlas.analysis.estimators.results import DidResult


def event_study_figure(
    results: Sequence[DidResult],
    path: str | Path,
    title: str,
    *,
    ylabel: str = "effect on the outcome",
) -> Path:
    """Write a PNG of each result's event study (point estimates and 95% CIs) to ``path``.

    Series are offset slightly on the x axis so their intervals do not hide each other. The
    reference period and adoption are marked; caveat counts go in the legend so a figure never
    travels without a hint that there is more to read.
    """
    if not results:
        raise ValueError("event_study_figure needs at least one result")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    try:
        width = 0.3 / max(len(results) - 1, 1)
        for k, result in enumerate(results):
            es = result.event_study.sort("relative_period")
            x = es.get_column("relative_period").to_numpy().astype(float)
            x = x + (k - (len(results) - 1) / 2) * width
            est = es.get_column("estimate").to_numpy()
            low = es.get_column("ci_low").to_numpy()
            high = es.get_column("ci_high").to_numpy()
            label = (
                f"{result.estimator}: ATT {result.att:.3g} [{result.ci_low:.3g}, "
                f"{result.ci_high:.3g}]; pre-trend p = {result.pretrend.p_value:.2g}"
                + (f"; {len(result.caveats)} caveat(s)" if result.caveats else "")
            )
            ax.errorbar(
                x,
                est,
                yerr=[est - low, high - est],
                fmt="o",
                markersize=3,
                capsize=0,
                elinewidth=1,
                label=label,
            )
        reference = results[0].reference_period
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.axvline(reference + 0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlabel(f"periods relative to adoption (reference: {reference})")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path
