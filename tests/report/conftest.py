"""Reports built once per session from the real store (panel_store): Los Angeles County with
its PNGs, and the claim checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import sanctuary_atlas
from sanctuary_atlas.report import build_area_report, build_claims_report, resolve_area


@dataclass(frozen=True)
class Built:
    area: Path
    claims: Path
    pngs: Path
    in_force: pl.DataFrame  # the registry's entries in force in LA County today
    questions: list[str]
    seconds: dict[str, float]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, panel_store: Path) -> Built:
    folder = tmp_path_factory.mktemp("report")
    with sanctuary_atlas.open(panel_store) as atlas:
        area = build_area_report(
            atlas, resolve_area("06037"), folder / "la.html", png_dir=folder / "png"
        )
        claims = build_claims_report(atlas, folder / "claims.html", png_dir=folder / "png")
        in_force = atlas.policies.at("06037", date.today())
        questions = [c.question for c in atlas.analysis.claims()]
    return Built(
        area.html,
        claims.html,
        folder / "png",
        in_force,
        questions,
        {"area": area.seconds, "claims": claims.seconds},
    )
