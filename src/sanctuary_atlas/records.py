"""The public-records folder (``../shared/data`` by default) and the one pipeline that builds a
full atlas store from it: releases, detention, policies, 287(g) snapshots, then the panel.

``make atlas``, ``sanctuary-atlas build`` and ``scripts/build_default_atlas.py`` all run this,
so the store a user builds and the bundled default atlas come from the same steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sanctuary_atlas.atlas import Atlas

DEFAULT_RECORDS = Path("../shared/data")


@dataclass(frozen=True)
class RecordsLayout:
    """Where each kind of record lives under the records folder."""

    root: Path

    @property
    def releases(self) -> list[Path]:
        return [self.root / "ice-lesa" / "national", self.root / "ice-lesa" / "seattle"]

    @property
    def detention_headcount(self) -> Path:
        return self.root / "detention" / "inc_headcount_fy12-24ytd.csv.gz"

    @property
    def detention_facilities(self) -> Path:
        return self.root / "detention" / "facilities.csv.gz"

    @property
    def detention_daily(self) -> Path:
        return (
            self.root
            / "detention"
            / "ddp"
            / "facilities-daily-population_2022-10-01_2026-03-10.parquet"
        )

    @property
    def ice_statistics(self) -> Path:
        return self.root / "detention" / "ice-detention-stats"

    @property
    def policies(self) -> Path:
        return self.root / "policies"

    @property
    def snapshots_287g(self) -> Path:
        return self.root / "policies" / "287g-sheets"

    def missing(self) -> list[Path]:
        wanted = [
            *self.releases,
            self.detention_headcount,
            self.detention_facilities,
            self.detention_daily,
            self.ice_statistics,
            self.policies,
            self.snapshots_287g,
        ]
        return [path for path in wanted if not path.exists()]


def build_from_records(
    atlas: Atlas, root: Path = DEFAULT_RECORDS, say: Callable[[str], None] = lambda _: None
) -> None:
    """Load everything under ``root`` into ``atlas`` and build its panel. Each step is
    idempotent (a file already loaded is skipped), so a rerun after new files only adds."""
    layout = RecordsLayout(root)
    missing = layout.missing()
    if missing:
        raise FileNotFoundError(
            "the records folder lacks "
            + ", ".join(str(p) for p in missing)
            + f": pass the folder that holds ice-lesa/, detention/ and policies/ (not {root})"
        )
    results = atlas.ingest(layout.releases)
    new = [r for r in results if r.status == "ingested"]
    say(
        f"releases: {len(new)} file(s) ingested ({sum(r.rows for r in new):,} rows), "
        f"{len(results) - len(new)} already stored"
    )
    detention = atlas.load_detention(layout.detention_headcount, layout.detention_facilities)
    say(f"detention: {detention.headcount_rows:,} facility-days ({detention.status})")
    daily = atlas.load_ddp_detention(
        layout.detention_daily, layout.ice_statistics / "facilities.parquet"
    )
    say(
        f"detention (DDP): {daily.facility_days:,} facility-days, {daily.facilities_added} "
        f"facilities placed by name, {daily.facilities_in_county} of them in a county "
        f"({daily.status})"
    )
    stats = atlas.load_ice_statistics(layout.ice_statistics)
    say(f"ICE detention statistics: {stats.months:,} monthly figures ({stats.status})")
    defaults = atlas.policies.load_defaults(layout.policies)
    say(f"policies: {defaults.curated} curated entries, Secure Communities and the DHS list")
    snapshots = atlas.policies.load_287g(layout.snapshots_287g)
    say(f"287(g): {snapshots.files_loaded} snapshot(s) loaded, {snapshots.agreements:,} agreements")
    rebuilt = atlas.measures.ensure_panel()
    say("panel: rebuilt" if rebuilt else "panel: already current")
