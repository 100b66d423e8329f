"""What people read at 80 columns: every date and figure whole (never cut to "2011-0…"), no line
past the terminal, and figures rounded for reading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_cli_store_access import default_store, run

__all__ = ["default_store"]  # the module fixture, shared

COMMANDS: dict[str, tuple[str, ...]] = {
    "policies at": ("policies", "at", "Cook County, IL", "--date", "2020-03-01"),
    "policies list": ("policies", "list", "--kind", "287g_*", "--date", "2021-06-01"),
    "policies timeline": ("policies", "timeline", "Los Angeles County, CA"),
    "measures": ("measures",),
    "compare": ("compare", "--measure", "arrests_at_large", "--treated", "policy:limits_detainers"),
    "compare indexed": ("compare", "--measure", "removals", "--treated", "TX", "--indexed"),
    "panel, many measures": (
        *("panel", "--level", "state", "--from", "2017-01", "--to", "2017-02", "--measures"),
        "arrests,at_large_share,arrests_per_100k,removals,encounters_detainer",
    ),
    "releases": ("releases",),
}
DATE = re.compile(r"\b(19|20)\d\d-\d\d(-\d\d)?\b")


@pytest.mark.parametrize("name", COMMANDS)
def test_fits_80_columns_with_nothing_cut(default_store: Path, name: str) -> None:
    needs_store = name != "measures"
    done = run(*COMMANDS[name], *(("--db", default_store) if needs_store else ()))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) > 5
    assert "…" not in done.stdout
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert not re.search(r"\d\.\d{5,}", done.stdout), "figures rounded for reading"
    if name.startswith(("policies", "compare", "panel", "releases")):
        assert DATE.search(done.stdout)


def test_policies_at_shows_each_entry_with_its_dates_and_source(default_store: Path) -> None:
    done = run(*COMMANDS["policies at"], "--db", default_store)
    text = " ".join(done.stdout.split())
    assert "Cook County, Illinois (17031) · limits_detainers" in text
    assert "in force 2011-09-07 to (no end date)" in text
    assert "Policy for Responding to ICE Detainers" in text


def test_compare_rounds_counts_and_rates(default_store: Path) -> None:
    done = run(*COMMANDS["compare"], "--db", default_store, "--csv")
    header, first = done.stdout.splitlines()[:2]
    values = dict(zip(header.split(","), first.split(","), strict=True))
    assert re.fullmatch(r"\d+", values["value"])  # a sum of counts: whole
    assert re.fullmatch(r"\d+\.\d{1,4}", values["per_100k"])


def test_a_withheld_cell_reads_as_a_dash_in_records_never_zero(default_store: Path) -> None:
    done = run(*COMMANDS["panel, many measures"], "--db", default_store)
    blocks = done.stdout.split("\n\n")
    alaska = next(b for b in blocks if b.startswith("Alaska · 2017-01"))
    assert re.search(r"arrests\s+—", alaska)
