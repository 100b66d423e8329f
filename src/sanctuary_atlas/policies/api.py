"""PoliciesAPI: the policy registry's one entry point for the CLI, the web app and notebooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from sanctuary_atlas.policies import queries
from sanctuary_atlas.policies.curated import load_curated
from sanctuary_atlas.policies.dhs_list import FILE_NAME as DHS_FILE
from sanctuary_atlas.policies.dhs_list import DhsListReport, load_dhs_list
from sanctuary_atlas.policies.ingest_287g import Load287gReport, load_287g_folder
from sanctuary_atlas.policies.model import JurisdictionLevel, Origin, PolicyEntry
from sanctuary_atlas.policies.registry import add_entries
from sanctuary_atlas.policies.secure_communities import FILE_NAME as SC_FILE
from sanctuary_atlas.policies.secure_communities import (
    SecureCommunitiesReport,
    load_secure_communities,
)
from sanctuary_atlas.policies.validate import entries_from_file, entries_from_records
from sanctuary_atlas.store import Store

Where = str | queries.Jurisdiction


@dataclass(frozen=True)
class DefaultsReport:
    curated: int
    secure_communities: SecureCommunitiesReport
    dhs_list: DhsListReport


class PoliciesAPI:
    """The dated, sourced policy registry of one atlas store."""

    def __init__(self, store: Store):
        self.store = store

    # -- loading ----------------------------------------------------------------------------
    def load_287g(self, folder: str | Path) -> Load287gReport:
        """Load new ICE 287(g) list snapshots from a folder and rebuild the agreements."""
        path = Path(folder)
        if not path.is_dir():
            raise FileNotFoundError(f"no folder {path}: expected a folder of 287(g) snapshots")
        return load_287g_folder(self.store, path)

    def load_curated(self) -> int:
        """(Re)load the curated registry shipped with the package."""
        return load_curated(self.store)

    def load_secure_communities(self, path: str | Path) -> SecureCommunitiesReport:
        return load_secure_communities(self.store, Path(path))

    def load_dhs_list(self, path: str | Path) -> DhsListReport:
        return load_dhs_list(self.store, Path(path))

    def load_defaults(self, data_dir: str | Path) -> DefaultsReport:
        """The curated registry, plus Secure Communities and the DHS 2025 list from
        ``data_dir`` (the project's ../shared/data, or its ``policies`` folder)."""
        folder = Path(data_dir)
        if (folder / "policies").is_dir():
            folder = folder / "policies"
        for name in (SC_FILE, DHS_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{name} not found in {folder}")
        return DefaultsReport(
            curated=self.load_curated(),
            secure_communities=self.load_secure_communities(folder / SC_FILE),
            dhs_list=self.load_dhs_list(folder / DHS_FILE),
        )

    # -- user edits -------------------------------------------------------------------------
    def add(self, record: Mapping[str, Any]) -> PolicyEntry:
        """Add one entry given as field -> value (see ``validate.FIELDS``)."""
        entries = entries_from_records([(1, record)], Origin.USER, "entry")
        with self.store.transaction():
            add_entries(self.store, entries)
        return entries[0]

    def import_file(self, path: str | Path) -> int:
        """Add every entry of a YAML or CSV file; any invalid entry and nothing is added."""
        entries = entries_from_file(Path(path), Origin.USER)
        with self.store.transaction():
            return add_entries(self.store, entries)

    # -- questions --------------------------------------------------------------------------
    def resolve(self, where: Where) -> queries.Jurisdiction:
        if isinstance(where, queries.Jurisdiction):
            return where
        return queries.resolve_jurisdiction(self.store, where)

    def at(self, where: Where, day: date) -> pl.DataFrame:
        """Entries in force at a jurisdiction on a day, including its counties' and state's."""
        return queries.policies_at(self.store, self.resolve(where), day)

    def timeline(self, where: Where) -> pl.DataFrame:
        return queries.policy_timeline(self.store, self.resolve(where))

    def entries(self, kind: str | None = None, day: date | None = None) -> pl.DataFrame:
        """Entries of the kinds a name or glob (``287g_*``) names, in force on ``day`` if given."""
        return queries.list_policies(self.store, kind, day)

    def in_force_by_month(self, kind: str, start: date, end: date) -> pl.DataFrame:
        return queries.in_force_by_month(self.store, kind, start, end)

    def panel(
        self,
        start: date,
        end: date,
        *,
        level: JurisdictionLevel | str = JurisdictionLevel.COUNTY,
        jurisdictions: list[str] | None = None,
        kinds: str | list[str] | None = None,
        rule: str = "any_day",
    ) -> pl.DataFrame:
        """Jurisdiction x month indicator panel (see ``queries.policy_panel``)."""
        return queries.policy_panel(
            self.store,
            start,
            end,
            level=level,
            jurisdictions=jurisdictions,
            kinds=kinds,
            rule=rule,
        )

    def agreements_287g(self) -> pl.DataFrame:
        """One row per 287(g) agreement found in the snapshots, with first and last seen."""
        return self.store.frame("SELECT * FROM policy_287g_agreements ORDER BY agreement_key")

    def snapshots_287g(self) -> pl.DataFrame:
        return self.store.frame(
            "SELECT * FROM policy_287g_snapshots ORDER BY list_name, snapshot_time"
        )
