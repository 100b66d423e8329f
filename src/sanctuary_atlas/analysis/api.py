"""AnalysisAPI: comparisons, policy effect estimates and claim checks on one atlas store."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sanctuary_atlas.analysis.claim_check import ClaimCheck
from sanctuary_atlas.analysis.claims import CLAIMS, check_claim, check_claims
from sanctuary_atlas.analysis.comparisons import Comparison, compare
from sanctuary_atlas.store import Store

if TYPE_CHECKING:
    from sanctuary_atlas.analysis.policy_effects import PolicyEffect


class AnalysisAPI:
    def __init__(self, store: Store):
        self.store = store

    def compare(
        self,
        measure: str,
        treated: str,
        control: str,
        *,
        level: str = "state",
        start: date | None = None,
        end: date | None = None,
        indexed: bool = False,
    ) -> Comparison:
        """A measure over time for a set of areas against a comparison set (codes or
        selectors: ``policy:KIND[@DATE]``, ``surge2020``, ``rest``); by default over every
        month the store has the measure for."""
        return compare(
            self.store,
            measure,
            treated,
            control,
            level=level,
            start=start,
            end=end,
            indexed=indexed,
        )

    def estimate(self, policy: str, measure: str, unit: str = "state") -> PolicyEffect:
        """The effect of adopting ``policy`` on ``measure``: Callaway-Sant'Anna and
        Sun-Abraham, clustered by unit, with the pre-trend test and caveats."""
        # imported here: the estimator libraries take seconds to load, and opening an atlas
        # (the CLI, the web app's start) should not wait for them
        from sanctuary_atlas.analysis.policy_effects import estimate_policy_effect

        return estimate_policy_effect(self.store, policy, measure, unit)

    def claims(self, keys: list[str] | None = None) -> list[ClaimCheck]:
        if keys is None:
            return check_claims(self.store)
        unknown = sorted(set(keys) - set(CLAIMS))
        if unknown:
            raise ValueError(f"unknown claim(s) {', '.join(unknown)}; known: {', '.join(CLAIMS)}")
        return [check_claim(self.store, key) for key in keys]
