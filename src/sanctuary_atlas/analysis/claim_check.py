"""A claim check: a claim from public debate put as a question the record can speak to, with
the measure, the comparison, the figures, and what the data cannot show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class ClaimCheck:
    key: str
    claim: str  # the claim as made in public debate, attributed
    question: str  # what the record can answer
    measure: str
    comparison: str
    shows: list[str]  # what the data shows: numbers, no verdict
    limits: list[str]  # what it cannot show
    figures: pl.DataFrame = field(default_factory=pl.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        figures = self.figures
        if "month" in figures.columns:
            figures = figures.with_columns(pl.col("month").dt.strftime("%Y-%m"))
        return {
            "key": self.key,
            "claim": self.claim,
            "question": self.question,
            "measure": self.measure,
            "comparison": self.comparison,
            "shows": self.shows,
            "limits": self.limits,
            "figures": figures.to_dicts(),
        }
