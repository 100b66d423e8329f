"""Adding a newer release: a file in the Deportation Data Project's 2023- arrests layout is
accepted, the panel rebuilds, and the web atlas shows its months; a column no layout knows stops
the ingest with its name and leaves the store as it was.

The real files end in FY2019, so the newer release is made here from real rows: the first
quarter of the FY2019 arrests, moved two years on (October-December 2020) and written with the
DDP's column names, date-time format and extra columns (identifiers blank, as a release whose
identifiers are withheld would hold them)."""

from __future__ import annotations

import csv
import gzip
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import sanctuary_atlas
from sanctuary_atlas.releases import BadInputError
from sanctuary_atlas.web.app import create_app
from tests.conftest import NATIONAL

FY2019 = NATIONAL / "EROArrests_FY2019.csv.gz"
DDP_HEADER = [
    "Apprehension Date",
    "Apprehension State",
    "Apprehension AOR",
    "Final Program",
    "Apprehension Method",
    "Apprehension Criminality",
    "Birth Year",
    "Citizenship Country",
    "Gender",
    "Apprehension Site Landmark",
    "Unique Identifier",
]


def write_newer_release(path: Path, extra_column: str | None = None) -> int:
    with gzip.open(FY2019, "rt", encoding="latin-1") as source:
        rows = list(csv.reader(source.read().splitlines()[5:], delimiter="|"))
    column = {name: index for index, name in enumerate(rows[0])}
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(DDP_HEADER + ([extra_column] if extra_column else []))
        for row in rows[1:]:
            day = datetime.strptime(row[column["Apprehension Date"]], "%m/%d/%Y").date()
            if day >= date(2019, 1, 1):
                continue
            moved = day.replace(year=day.year + 2)
            writer.writerow(
                [
                    f"{moved:%Y-%m-%d} 09:30:00",
                    "",
                    row[column["Area of Responsibility"]],
                    "",
                    row[column["Apprehension Method"]],
                    "",
                    "",
                    row[column["Citizenship"]],
                    row[column["Gender"]],
                    row[column["Apprehension Landmark"]],
                    "",
                ]
                + ([""] if extra_column else [])
            )
            written += 1
    return written


@pytest.fixture(scope="module")
def fy2019_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fy2019") / "atlas.duckdb"
    with sanctuary_atlas.open(path) as atlas:
        atlas.ingest([FY2019])
        atlas.measures.ensure_panel()
    return path


@pytest.fixture
def store(tmp_path: Path, fy2019_store: Path) -> Path:
    """A copy of the FY2019 store for one test to change."""
    path = tmp_path / "atlas.duckdb"
    path.write_bytes(fy2019_store.read_bytes())
    return path


def test_a_newer_release_adds_its_months_to_the_panel_and_the_web_atlas(
    tmp_path: Path, store: Path
) -> None:
    newer = tmp_path / "ddp_arrests_2020q4.csv"
    written = write_newer_release(newer)
    assert written > 30_000
    with sanctuary_atlas.open(store) as atlas:
        (result,) = atlas.ingest([newer])
        assert result.status == "ingested" and result.rows == written
        assert atlas.measures.ensure_panel() is True  # new inputs: the panel is rebuilt
        nation = atlas.measures.panel("nation", ["arrests"])
        by_month = dict(zip(nation["month"], nation["arrests"], strict=True))
    moved = {date(2020, 10, 1), date(2020, 11, 1), date(2020, 12, 1)}
    assert moved <= by_month.keys()
    assert sum(by_month[m] for m in moved) == written
    # the same months, read from the original release two years earlier
    original = [by_month[date(2018, m, 1)] for m in (10, 11, 12)]
    assert [by_month[date(2020, m, 1)] for m in (10, 11, 12)] == original
    with TestClient(create_app(store)) as client:
        answer = client.get(
            "/api/series",
            params={"level": "nation", "measure": "arrests", "area": "US", "start": "2020-10"},
        )
    assert answer.status_code == 200
    assert [row["month"] for row in answer.json()["rows"]] == [
        "2020-10-01",
        "2020-11-01",
        "2020-12-01",
    ]


def test_a_column_no_layout_knows_is_skipped_and_named_or_refused_with_strict(
    tmp_path: Path, store: Path
) -> None:
    newer = tmp_path / "ddp_arrests_with_site_code.csv"
    written = write_newer_release(newer, extra_column="Apprehension Site Code")
    with sanctuary_atlas.open(store) as atlas:
        before = atlas.store.scalar("SELECT count(*) FROM arrests")
        with pytest.raises(BadInputError, match="Apprehension Site Code") as raised:
            atlas.ingest([newer], strict=True)
        assert newer.name in str(raised.value)
        assert atlas.store.scalar("SELECT count(*) FROM arrests") == before
        assert atlas.store.scalar("SELECT count(*) FROM releases") == 1
        # without --strict the rows go in, the column does not, and the report names it
        (result,) = atlas.ingest([newer])
        assert result.rows == written
        assert result.unknown_columns == {"": ["Apprehension Site Code"]}
        report = atlas.store.scalar("SELECT report FROM releases WHERE file_name = ?", [newer.name])
        assert '"unknown_columns": ["Apprehension Site Code"]' in report
