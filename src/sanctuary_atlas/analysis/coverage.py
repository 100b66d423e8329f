"""Whether state or county figures of a measure mean enough to compare or estimate on: their
coverage (``measures.bounds``), averaged over the areas and months asked about."""

from __future__ import annotations

from datetime import date

from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.bounds import BOUND_LEVELS, bounded_measures
from sanctuary_atlas.store import Store

# Below this mean coverage most events that could lie in the areas are placed in none of them:
# an estimate or comparison would measure where ICE's records put events, not where they
# happened. Half is the point past which the unplaced events outweigh the placed ones.
REFUSE_BELOW = 0.5


class CoverageError(ValueError):
    """Figures too incomplete at this level to compare or estimate on."""


def coverage_caveat(
    store: Store,
    level: str,
    measure: str,
    start: date,
    end: date,
    areas: list[str] | None = None,
) -> str | None:
    """A caveat stating the coverage of ``areas`` (every area of the level when None), or
    None where the level or measure has nothing to bound. Raises ``CoverageError`` below
    ``REFUSE_BELOW``."""
    if level not in BOUND_LEVELS or not bounded_measures([measure]):
        return None
    panel = MeasuresAPI(store).panel(level, [measure], start, end, areas, bounds=True)
    mean = panel[f"{measure}_coverage"].mean()
    if mean is None:
        return None
    share = float(mean)  # type: ignore[arg-type]
    said = (
        f"coverage {share:.0%}: on average that share of the enclosing AORs' {measure} events "
        f"from {start:%Y-%m} to {end:%Y-%m} is placed without doubt at {level} level (the rest "
        f"are placed in no {level} and could lie in one)"
    )
    if share < REFUSE_BELOW:
        raise CoverageError(
            f"refused at {level} level: {said}; below {REFUSE_BELOW:.0%} the figures say where "
            "ICE's records put events more than where they happened. Use the AOR level, or a "
            "measure the records place better (custodial arrests, detention)."
        )
    return said
