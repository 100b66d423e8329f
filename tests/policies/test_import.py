"""User edits: `policies add` and `policies import`, validated, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary_atlas.cli.policies import policies_app
from sanctuary_atlas.policies.api import PoliciesAPI
from sanctuary_atlas.policies.validate import PolicyValidationError

runner = CliRunner()
HEADER = (
    "jurisdiction_level,jurisdiction_fips,jurisdiction_name,kind,effective_from,effective_to,"
    "description,source_title,source_publisher,source_address,date_basis"
)
# Fixture entries: the sources are placeholders, not citations of real documents.
SOURCE = "Example policy (test fixture),Example County Council,https://example.org/policy"
GOOD = (
    "county,53033,King County,limits_detainers,2014-05-01,,"
    f"Sheriff declines detainers without a judicial warrant,{SOURCE},inferred"
)
GOOD_TOO = (
    f"state,41,Oregon,limits_cooperation_general,2021-07-19,,A state policy,{SOURCE},inferred"
)
AFTER = "effective_from 2014-05-01 is after effective_to 2013-01-01"


def _count(registry: PoliciesAPI) -> int:
    return int(registry.store.scalar("SELECT count(*) FROM policies"))


def _write(tmp_path: Path, *rows: str, name: str = "edits.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_valid_file_is_imported(fresh_registry: PoliciesAPI, tmp_path: Path) -> None:
    before = _count(fresh_registry)
    assert fresh_registry.import_file(_write(tmp_path, GOOD, GOOD_TOO)) == 2
    assert _count(fresh_registry) == before + 2
    frame = fresh_registry.at("King County, WA", date(2015, 1, 1))
    assert frame.filter(frame["origin"] == "user").height == 1


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (GOOD.replace("limits_detainers", "sanctuary"), "unknown kind 'sanctuary'"),
        (GOOD.replace("2014-05-01,,", "2014-05-01,2013-01-01,"), AFTER),
        (GOOD.replace("53033", "53999"), "unknown FIPS '53999'"),
        (GOOD.replace("county,53033", "county,99033"), "unknown FIPS '99033'"),
        (GOOD.replace(SOURCE, ",,"), "missing source"),
        (GOOD.replace("2014-05-01", "May 2014"), "effective_from 'May 2014' is not a date"),
    ],
)  # fmt: skip
def test_bad_input_names_the_line_and_imports_nothing(
    fresh_registry: PoliciesAPI, tmp_path: Path, bad_row: str, message: str
) -> None:
    path = _write(tmp_path, GOOD_TOO, bad_row)  # the bad entry is on line 3
    before = _count(fresh_registry)
    with pytest.raises(PolicyValidationError) as caught:
        fresh_registry.import_file(path)
    assert f"edits.csv:3: {message}" in str(caught.value)
    assert _count(fresh_registry) == before  # the good line 2 was not imported either


def test_cli_import_exits_2_on_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "atlas.duckdb"
    path = _write(tmp_path, GOOD, GOOD.replace("limits_detainers", "sanctuary"))
    result = runner.invoke(policies_app, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 2
    assert "edits.csv:3: unknown kind 'sanctuary'" in " ".join(result.output.split())
    ok = runner.invoke(policies_app, ["import", str(_write(tmp_path, GOOD)), "--db", str(db)])
    assert ok.exit_code == 0, ok.output


def test_yaml_errors_carry_the_line_of_their_entry(
    fresh_registry: PoliciesAPI, tmp_path: Path
) -> None:
    path = tmp_path / "edits.yaml"
    path.write_text(
        "# my edits\n"
        "- jurisdiction_level: state\n"
        "  jurisdiction_fips: '41'\n"
        "  jurisdiction_name: Oregon\n"
        "  kind: limits_cooperation_general\n"
        "  effective_from: 2021-07-19\n"
        "  description: Sanctuary Promise Act\n"
        "  date_basis: inferred\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyValidationError, match=r"edits.yaml:2: missing source"):
        fresh_registry.import_file(path)


def test_unknown_columns_and_file_types_are_refused(
    fresh_registry: PoliciesAPI, tmp_path: Path
) -> None:
    path = tmp_path / "edits.csv"
    path.write_text(HEADER + ",notes\n" + GOOD + ",hello\n", encoding="utf-8")
    with pytest.raises(PolicyValidationError, match=r"edits.csv:2: unknown field\(s\) notes"):
        fresh_registry.import_file(path)
    other = tmp_path / "edits.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(PolicyValidationError, match="unknown file type"):
        fresh_registry.import_file(other)


def test_cli_add_validates_like_import(tmp_path: Path) -> None:
    db = str(tmp_path / "atlas.duckdb")
    base = [
        "add", "--level", "county", "--fips", "53033", "--name", "King County",
        "--from", "2014-05-01", "--description", "Detainer policy",
        "--source-title", "Example policy (test fixture)",
        "--source-publisher", "Example County Council",
        "--source-address", "https://example.org/policy", "--db", db,
    ]  # fmt: skip
    bad = runner.invoke(policies_app, [*base, "--kind", "limits_everything"])
    assert bad.exit_code == 2 and "unknown kind" in bad.output
    good = runner.invoke(policies_app, [*base, "--kind", "limits_detainers"])
    assert good.exit_code == 0, good.output
    again = runner.invoke(policies_app, [*base, "--kind", "limits_detainers"])
    assert again.exit_code == 1 and "already in the registry" in again.output
