"""Bad input: every broken file gets one paragraph naming the file, sheet, row and column, and
leaves the store exactly as it was."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.releases.errors import BadInputError
from tests.releases.corpus.make_corpus import BANNER, HEADER, corpus, row

CORPUS = Path(__file__).resolve().parent / "corpus"

# file -> (row, column, words the message must contain)
CASES: dict[str, tuple[int | None, str | None, str]] = {
    "truncated.csv.gz": (723, None, "truncated"),
    "empty.csv": (None, None, "empty"),
    "banner_only.csv": (None, None, "no header row"),
    "unknown_column.csv": (6, "Shoe Size", "unknown column"),
    "missing_column.csv": (6, "method", "'Apprehension Method' or 'Arrest Method'"),
    "wrong_delimiter.csv": (9, None, "looks ','-delimited"),
    "semicolon.csv": (None, None, "';'"),
    "control_bytes.csv": (10, "Citizenship", "undecodable bytes"),
    "repeated_header.csv": (9, None, "header row is repeated"),
    "unknown_aor.csv": (10, "Area of Responsibility", "'Atlantis Area of Responsibility'"),
    "no_release_sheet.xlsx": (None, None, "no sheet holds a recognisable release table"),
    "not_a_workbook.xlsx": (None, None, "openpyxl"),
}


def test_corpus_files_are_what_the_generator_writes() -> None:
    for name, data in corpus().items():
        assert (CORPUS / name).read_bytes() == data, f"regenerate {name}: make_corpus.py"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_with_its_place(atlas_at: Atlas, name: str) -> None:
    atlas_at.ingest([CORPUS / "good.csv.gz"])
    before = atlas_at.sql("SELECT count(*) AS n FROM arrests")["n"][0]
    with pytest.raises(BadInputError) as raised:
        # an unknown column stops the ingest only with --strict (otherwise it is skipped)
        atlas_at.ingest([CORPUS / name], strict=name == "unknown_column.csv")
    error = raised.value
    row, column, words = CASES[name]
    message = str(error)
    assert message.startswith(f"file {name}")
    assert words in message
    assert error.row == row
    assert error.column == column
    if row is not None:
        assert f"row {row}" in message
    assert "Nothing from this file was stored" in message
    # the store is as it was: the good file's rows, one release, nothing of the bad file
    assert atlas_at.sql("SELECT count(*) AS n FROM arrests")["n"][0] == before == 5
    assert atlas_at.releases().height == 1


def test_ten_megabyte_field(atlas_at: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "huge_field.csv.gz"
    huge = row(day=2).replace("HOU GENERAL AREA, NON-SPECIFIC", "X" * (10 * 1024 * 1024))
    body = [row(day=1), huge, row(day=3)]
    path.write_bytes(gzip.compress(("\n".join([*BANNER, HEADER, *body]) + "\n").encode()))
    with pytest.raises(BadInputError) as raised:
        atlas_at.ingest([path])
    # refused as a line, before a parser holds it whole (see test_hostile_input.py)
    assert raised.value.row == 8
    assert "a line longer than 1,048,576 bytes" in str(raised.value)
    assert atlas_at.releases().height == 0


def test_long_field_within_a_line_is_named(atlas_at: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "long_field.csv.gz"
    long = row(day=2).replace("HOU GENERAL AREA, NON-SPECIFIC", "X" * 200_000)
    body = [row(day=1), long, row(day=3)]
    path.write_bytes(gzip.compress(("\n".join([*BANNER, HEADER, *body]) + "\n").encode()))
    with pytest.raises(BadInputError) as raised:
        atlas_at.ingest([path])
    assert raised.value.row == 8
    assert raised.value.column == "Apprehension Landmark"
    assert "200,000 characters" in str(raised.value)


def test_bad_sheet_names_the_sheet(atlas_at: Atlas, tmp_path: Path) -> None:
    from tests.releases.corpus.make_corpus import xlsx

    header = ["Event Number", "Area of Responsibility", "Apprehension Landmark", "Arrest Method"]
    good = ["(b)(7)(E )", "Seattle Area of Responsibility", "YAKIMA COUNTY JAIL", "Located"]
    bad = ["(b)(7)(E )", "Gotham Area of Responsibility", "ARKHAM", "Located"]
    path = tmp_path / "aor_workbook.xlsx"
    path.write_bytes(xlsx({"FY2017 Arrests": [["FY2017 Arrests"], header, good, good, bad]}))
    with pytest.raises(BadInputError) as raised:
        atlas_at.ingest([path])
    assert raised.value.sheet == "FY2017 Arrests"
    assert raised.value.row == 5
    assert raised.value.column == "Area of Responsibility"
    assert "sheet 'FY2017 Arrests', row 5" in str(raised.value)
    assert atlas_at.releases().height == 0


def test_reingesting_the_same_file_is_a_no_op(atlas_at: Atlas, tmp_path: Path) -> None:
    first = atlas_at.ingest([CORPUS / "good.csv.gz"])
    copy = tmp_path / "renamed.csv.gz"
    copy.write_bytes((CORPUS / "good.csv.gz").read_bytes())
    second = atlas_at.ingest([CORPUS / "good.csv.gz", copy])
    assert [r.status for r in first] == ["ingested"]
    assert [r.status for r in second] == ["already stored", "already stored"]
    assert atlas_at.sql("SELECT count(*) AS n FROM arrests")["n"][0] == 5
