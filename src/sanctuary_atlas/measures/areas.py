"""The areas the published panel is about — a level, a code, a name — as every reader of the
atlas (the web app, the static report) names them."""

from __future__ import annotations

from dataclasses import dataclass

LEVEL_LABELS = {
    "nation": "Nation",
    "aor": "ICE area of responsibility",
    "state": "State",
    "county": "County",
}


class UnknownAreaError(LookupError):
    """An area the atlas does not have: a code its level lacks, or a name nothing matches."""


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]
