"""A claim check: a claim from public debate put as a question the record can speak to, with
the measure, the comparison, the figures, and what the data cannot show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

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
    checked: bool = True  # False: the atlas lacks what the check needs; ``shows`` says what

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
            "checked": self.checked,
            "figures": figures.to_dicts(),
        }


class Statement(TypedDict):
    """A claim as made in public debate and the question the record can answer: kept apart
    from the checks so that a claim the atlas cannot check is still stated, with the reason."""

    key: str
    claim: str  # the claim as made in public debate, attributed
    question: str  # what the record can answer


STATEMENTS: dict[str, Statement] = {
    "at_large_without_cooperation": {
        "key": "at_large_without_cooperation",
        "claim": "Without local cooperation (jail transfers), ICE must make at-large arrests in "
        "the community instead — the argument ICE officials gave for the 2020 deployment.",
        "question": "In FY2016-2019, was the at-large share of ICE arrests higher in AORs where "
        "most residents lived under a state or local limit on detainers than elsewhere?",
    },
    "detainer_limits_backlog": {
        "key": "detainer_limits_backlog",
        "claim": "Limits on honouring detainers leave people ICE wanted released into the "
        "community, so detainers and custodial arrests fall where limits apply.",
        "question": "Did encounters ending in a detainer, and custodial arrests, change after a "
        "state's detainer limit took effect, compared with states without one?",
    },
    "surge_2020": {
        "key": "surge_2020",
        "claim": "In February 2020 ICE received CBP officers, including Border Patrol tactical "
        "units, to make at-large arrests in nine sanctuary cities; critics called the surge "
        "unnecessary.",
        "question": "How did the number of people held in ICE detention in those nine cities' "
        "AORs, and ICE's national book-ins, move through 2020, compared with the other AORs?",
    },
    "surge_2025": {
        "key": "surge_2025",
        "claim": "From June 2025 federal agents surged into cities with sanctuary policies — Los "
        "Angeles, Chicago, Charlotte, New Orleans, Minneapolis — to arrest people the "
        "administration said local jails would not hand over.",
        "question": "After each operation began, did the number of people held in ICE "
        "detention in its AOR rise more than in the other AORs?",
    },
}
