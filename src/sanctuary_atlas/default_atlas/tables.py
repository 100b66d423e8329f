"""What the bundled default atlas holds: one Parquet file per store table, aggregates only.

Each entry says how a table leaves a store built from the records (``export``: a SELECT in a
fixed row order, without the columns that would make two builds differ — load times, the
builder's absolute paths) and how it comes back (``restore``: the INSERT tail that reads the
Parquet as ``batch`` and fills those columns again). Event tables, location resolutions and the
raw 287(g) listings never leave: they are rows per event or per spreadsheet line.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a withheld cell is called in a materialised store: whether it was withheld as a small
# count or to protect one ('primary' / 'complementary') would itself say something about it.
WITHHELD = "withheld"


@dataclass(frozen=True)
class BundledTable:
    name: str  # the store table, and the Parquet file's stem
    export: str
    restore: str  # follows ``INSERT INTO <name>``

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"


BUNDLED_TABLES = (
    BundledTable(
        "panel_cells",
        # only the published figure leaves; NULL marks a withheld cell (a missing row is zero)
        """SELECT level, area_code, month, measure, published FROM panel_cells
           ORDER BY level, measure, area_code, month""",
        f"""SELECT level, area_code, month, measure, published AS value, published,
                   CASE WHEN published IS NULL THEN '{WITHHELD}' END AS suppressed
            FROM batch""",
    ),
    BundledTable(
        "releases",
        "SELECT * EXCLUDE (ingested_at) FROM releases ORDER BY release_id",
        "BY NAME SELECT *, now()::TIMESTAMP AS ingested_at FROM batch",
    ),
    BundledTable(
        "release_choice",
        """SELECT * FROM release_choice
           ORDER BY table_name, aor NULLS FIRST, month, release_id""",
        "BY NAME SELECT * FROM batch",
    ),
    BundledTable(
        "undated_choice",
        "SELECT * FROM undated_choice ORDER BY table_name, aor NULLS FIRST, release_id",
        "BY NAME SELECT * FROM batch",
    ),
    BundledTable(
        "policies",
        "SELECT * EXCLUDE (loaded_at) FROM policies ORDER BY policy_id",
        "BY NAME SELECT *, now()::TIMESTAMP AS loaded_at FROM batch",
    ),
    BundledTable(
        "policy_287g_snapshots",
        """SELECT * EXCLUDE (loaded_at) FROM policy_287g_snapshots
           ORDER BY list_name, snapshot_time, sha256""",
        "BY NAME SELECT *, now()::TIMESTAMP AS loaded_at FROM batch",
    ),
    BundledTable(
        "policy_287g_agreements",
        "SELECT * FROM policy_287g_agreements ORDER BY agreement_key",
        "BY NAME SELECT * FROM batch",
    ),
)
