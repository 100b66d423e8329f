"""A user maps new header spellings without editing the package (`ingest --columns MAP.yaml`);
the map is validated with the line of each problem, and aliases are refused before anything is
expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary_atlas.atlas import Atlas
from sanctuary_atlas.releases.column_map import ColumnMapError, load_column_map
from tests.test_cli import run

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_a_mapped_column_is_stored_and_an_ignored_one_is_not_reported(
    atlas_at: Atlas, tmp_path: Path
) -> None:
    # the corpus file's last column, 'Shoe Size', holds the gender values of the real files
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("columns:\n  Shoe Size: gender\n", encoding="utf-8")
    (result,) = atlas_at.ingest([CORPUS / "unknown_column.csv"], columns=mapping)
    assert result.unknown_columns == {}
    genders = atlas_at.sql("SELECT DISTINCT gender FROM arrests")["gender"].to_list()
    assert genders == ["Male"]


def test_skipped_unknown_column_is_named_on_the_console(tmp_path: Path) -> None:
    db = tmp_path / "atlas.duckdb"
    ran = run("ingest", "--db", db, CORPUS / "unknown_column.csv")
    assert ran.returncode == 0, ran.stderr
    assert "unknown column(s) not stored" in ran.stdout and "'Shoe Size'" in ran.stdout
    strict = run("ingest", "--strict", "--db", tmp_path / "b.duckdb", CORPUS / "unknown_column.csv")
    assert strict.returncode == 2
    assert "unknown column 'Shoe Size'" in " ".join(strict.stderr.split())


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("columns:\n  Shoe Size: gender\n  Hat: nonsense\n", 3, "unknown field 'nonsense'"),
        ("columns:\n  Shoe Size: gender\n  shoe_size: gender\n", 3, "already mapped on line 2"),
        ("- a\n- b\n", 1, "expected a mapping"),
        ("columns:\n  A: &x gender\n  B: *x\n", 3, "aliases"),
        ("columns: [unclosed\n", 2, "not valid YAML"),
    ],
)
def test_a_bad_map_names_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ColumnMapError) as raised:
        load_column_map(path)
    assert f"line {line}:" in str(raised.value) and words in str(raised.value)
