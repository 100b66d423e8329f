"""The Atlas object: one handle on a store, with every capability the CLI and web app offer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from sanctuary_atlas.analysis.api import AnalysisAPI
from sanctuary_atlas.geography.api import GeographyAPI
from sanctuary_atlas.measures.api import MeasuresAPI
from sanctuary_atlas.measures.areas import AreaCatalogue, catalogue
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.releases import IngestResult, ingest_file, release_files
from sanctuary_atlas.releases.column_map import load_column_map
from sanctuary_atlas.releases.ddp_detention import DdpDetentionLoad, load_ddp_detention
from sanctuary_atlas.releases.detention import DetentionLoad, load_detention
from sanctuary_atlas.releases.ice_stats import StatsLoad, load_ice_statistics
from sanctuary_atlas.releases.layouts import DEFAULT_LAYOUT
from sanctuary_atlas.releases.precedence import (
    EVENT_TABLES,
    Override,
    add_override,
    clear_overrides,
    overlaps,
)
from sanctuary_atlas.sql_guard import read_only_query
from sanctuary_atlas.store import DEFAULT_STORE, Store

FileCallback = Callable[[Path], Callable[[int], None] | None]


class Atlas:
    """An open atlas. The CLI and the web app are thin skins over these methods."""

    def __init__(self, store: Store):
        self.store = store
        # the areas are the bundled reference tables': one catalogue serves every atlas
        self.areas: AreaCatalogue = catalogue()
        self.geography = GeographyAPI(store)
        self.policies = PoliciesAPI(store)
        self.measures = MeasuresAPI(store)
        self.analysis = AnalysisAPI(store)

    @classmethod
    def open(cls, path: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> Atlas:
        return cls(Store.open(path, read_only=read_only))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- releases ---------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path],
        on_file: FileCallback | None = None,
        *,
        strict: bool = False,
        columns: str | Path | dict[str, str] | None = None,
    ) -> list[IngestResult]:
        """Ingest release files and folders: all or nothing per call. The files, their
        registry rows, the precedence and the resolution of their landmarks commit in one
        transaction; the first bad file raises ``BadInputError`` and nothing of the call is
        stored. A column no layout knows is skipped and named in the results (``strict``:
        refused); ``columns`` maps new header spellings (a YAML file or a dict, see
        ``releases.column_map``)."""
        self.store.refuse_if_published_only("ingest releases")
        column_map = load_column_map(columns) if isinstance(columns, (str, Path)) else columns
        layout = DEFAULT_LAYOUT.with_columns(column_map or {}, strict=strict)
        files = release_files(paths)
        results: list[IngestResult] = []
        with self.store.transaction():
            # landmarks left unresolved by an interrupted older version are repaired here too
            self.geography.resolve_store()
            for path in files:
                on_rows = on_file(path) if on_file else None
                results.append(ingest_file(self.store, path, on_rows, layout))
            if any(result.status == "ingested" for result in results):
                # new landmark texts are resolved once each, after the files, not per row
                self.geography.resolve_store()
        return results

    def load_detention(self, headcount: str | Path, facilities: str | Path) -> DetentionLoad:
        """Load the daily detention headcount and the facility list that places it."""
        self.store.refuse_if_published_only("load the detention headcount")
        return load_detention(self.store, Path(headcount), Path(facilities))

    def load_ddp_detention(self, daily: str | Path, ice_facilities: str | Path) -> DdpDetentionLoad:
        """Load the Deportation Data Project's daily population per facility (after the
        facility list: codes it lacks are placed from ICE's facility tables)."""
        self.store.refuse_if_published_only("load the detention population")
        return load_ddp_detention(self.store, Path(daily), Path(ice_facilities))

    def load_ice_statistics(self, folder: str | Path) -> StatsLoad:
        """Load the monthly tables of ICE's detention statistics (book-ins by arresting
        agency, average daily population) as national monthly figures."""
        self.store.refuse_if_published_only("load ICE's detention statistics")
        return load_ice_statistics(self.store, Path(folder))

    def releases(self) -> pl.DataFrame:
        """The release registry: one row per ingested file and sheet, with its scope."""
        return self.store.frame(
            """SELECT release_id, source_family, file_name, sheet, table_name, foia_number,
                      fiscal_year, coverage_start, coverage_end, coverage_basis,
                      coalesce(array_to_string(scope_aors, ' '), 'all') AS scope_aors,
                      scope_programs, is_complete, rows_read, rows_loaded, rows_flagged,
                      dates_invalid, sha256, ingested_at, report
               FROM releases ORDER BY release_id"""
        )

    def overlaps(self) -> pl.DataFrame:
        """Which releases cover the same (table, AOR, month) cells, and which one counts."""
        return overlaps(self.store)

    def prefer(
        self,
        release_id: int,
        *,
        aor: str | None = None,
        month_from: date | None = None,
        month_to: date | None = None,
    ) -> Override:
        """Override the default precedence: count ``release_id`` for its table there."""
        self.store.refuse_if_published_only("change release precedence")
        return add_override(
            self.store, release_id, aor=aor, month_from=month_from, month_to=month_to
        )

    def clear_preferences(self) -> int:
        self.store.refuse_if_published_only("change release precedence")
        return clear_overrides(self.store)

    def summary(self) -> pl.DataFrame:
        """Events by table x fiscal year x AOR, each event counted once (precedence applied)."""
        self.store.refuse_if_published_only("count events")
        parts = " UNION ALL ".join(
            f"SELECT '{t}' AS table_name, fiscal_year, aor FROM {t}_counted" for t in EVENT_TABLES
        )
        if not self.store.scalar("SELECT count(*) FROM releases"):
            return pl.DataFrame(
                schema={
                    "table": pl.String,
                    "fiscal_year": pl.Int16,
                    "aor": pl.String,
                    "rows": pl.Int64,
                }
            )
        return self.store.frame(
            f"""SELECT table_name AS "table", fiscal_year, aor, count(*) AS rows
                FROM ({parts}) GROUP BY ALL ORDER BY 1, 2, 3 NULLS LAST"""
        )

    def sql(self, query: str) -> pl.DataFrame:
        """Run one read-only SELECT against the store. A query DuckDB refuses (a typo, a table
        this store lacks) raises ValueError with DuckDB's message."""
        checked = read_only_query(query)
        try:
            return self.store.frame(checked)
        except duckdb.PermissionException as exc:
            raise ValueError(
                "the query was refused: the atlas's SQL reads this store only (no other file, "
                f"no URL, no extension). DuckDB said: {exc}"
            ) from exc
        except duckdb.Error as exc:
            note = (
                " (this store is the bundled default atlas: no events, no *_counted views)"
                if self.store.published_only()
                else ""
            )
            raise ValueError(f"the query failed: {exc}{note}") from exc
