"""An outsider attacks what the atlas publishes: the panel downloaded as a reader downloads it
(``sanctuary-atlas panel --csv`` for every level, ``/api/series``), every additive identity a
reader can form, exact integer arithmetic (``scripts/attack_disclosure.py``). No withheld
cell may come out pinned to one value — on the default atlas materialised from the bundle,
and on a store built from the records."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from fastapi.testclient import TestClient

import sanctuary_atlas
from sanctuary_atlas.measures.definitions import COUNT_MEASURES
from sanctuary_atlas.measures.panel import LEVELS, base_cells, placed_base
from sanctuary_atlas.web.app import create_app
from tests.conftest import REPO

COUNTS = [m.name for m in COUNT_MEASURES if m.kind == "count"]


def _attack_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "attack_disclosure", REPO / "scripts" / "attack_disclosure.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


attack = _attack_module()


def _cli(*args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sanctuary_atlas", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def structure(tmp_path_factory: pytest.TempPathFactory, records_store: Path) -> Path:
    """Where each AOR's events lie, month by month: the insider's knowledge, a worst case."""
    path = tmp_path_factory.mktemp("attack") / "structure.csv"
    with sanctuary_atlas.open(records_store, read_only=True) as atlas:
        placed = placed_base(base_cells(atlas.store))
    placed.select(
        "month", "measure", "aor", pl.col("st").alias("state"), "county"
    ).unique().write_csv(path)
    return path


@pytest.fixture(scope="module")
def default_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("default") / "atlas.duckdb"
    _cli("init", "--db", path)
    return path


def _downloads(store: Path, folder: Path) -> list[Path]:
    """The panel of every count measure at every level, as ``panel --bounds --csv`` prints it
    (the AORs' events placed in no state, the states' and counties' upper bounds)."""
    paths = []
    for level in LEVELS:
        path = folder / f"{level}.csv"
        path.write_text(
            _cli(
                "panel",
                "--db",
                store,
                "--level",
                level,
                "--measures",
                ",".join(COUNTS),
                "--bounds",
                "--csv",
            )
        )
        paths.append(path)
    return paths


# The suite attacks these months (the two the issue names, and two of FY2018-2019): every
# identity of a month lies within it, so each month is a complete attack of its own. The
# whole record is attacked from the command line (README, "Disclosure control"): it takes
# longer than a test should.
MONTHS = (date(2015, 12, 1), date(2016, 2, 1), date(2018, 3, 1), date(2019, 6, 1))


def _pinned(paths: list[Path], structure: Path) -> dict[tuple[str, str, date, str], int]:
    published = attack.read_published(paths, COUNTS)
    published.cells = {c: v for c, v in published.cells.items() if c[2] in MONTHS}
    identities = attack.identities(published, pl.read_csv(structure, infer_schema_length=0))
    assert len(identities) > 1_000  # the attack has something to work with
    pinned: dict[tuple[str, str, date, str], int] = attack.pinned_cells(published, identities)
    return pinned


def test_the_attack_pins_what_a_lone_withheld_cell_gives_away() -> None:
    """It can fail: the flaw of the earlier bundles (a withheld HQ cell beside a published
    nation and every other AOR) is found, with its value."""
    month = date(2016, 2, 1)
    frame = pl.DataFrame(
        {
            "level": ["nation", "aor", "aor", "aor"],
            "area_code": ["US", "CHI", "NYC", "HQ"],
            "area_name": ["United States", "Chicago", "New York", "ICE headquarters"],
            "month": [month] * 4,
            "arrests": [8756.0, 5000.0, 3755.0, None],
        }
    )
    published = attack.Published()
    published.add_frame(frame, ["arrests"])
    pinned = attack.pinned_cells(published, attack.identities(published, None))
    assert pinned == {("aor", "HQ", month, "arrests"): 1}


def test_the_attack_reads_the_bounds() -> None:
    """It can fail on bounds: a published upper bound beside a withheld count and a published
    no-state figure of the state's only AOR gives the count away."""
    month = date(2018, 3, 1)
    frame = pl.DataFrame(
        {
            "level": ["state"],
            "area_code": ["IL"],
            "area_name": ["Illinois"],
            "month": [month],
            "arrests": [None],
            "arrests_upper": [407.0],
        },
        schema_overrides={"arrests": pl.Float64},
    )
    aors = pl.DataFrame(
        {
            "level": ["aor"],
            "area_code": ["CHI"],
            "area_name": ["Chicago"],
            "month": [month],
            "arrests": [600.0],
            "arrests_no_state": [400.0],
        }
    )
    published = attack.Published()
    published.add_frame(frame, ["arrests"])
    published.add_frame(aors, ["arrests"])
    pinned = attack.pinned_cells(published, attack.identities(published, None))
    assert pinned == {("state", "IL", month, "arrests"): 7}


def test_the_default_atlas_resists_the_attack(
    default_atlas: Path, structure: Path, tmp_path: Path
) -> None:
    pinned = _pinned(_downloads(default_atlas, tmp_path), structure)
    assert pinned == {}


def test_the_api_serves_the_cells_the_attack_read(default_atlas: Path, tmp_path: Path) -> None:
    """``/api/series`` gives the reader the same cells as the CLI: the attack covers it."""
    cli = pl.read_csv(_downloads(default_atlas, tmp_path)[1], infer_schema_length=0)
    with TestClient(create_app(default_atlas)) as client:
        answer = client.get("/api/series", params={"level": "aor", "measure": COUNTS})
    assert answer.status_code == 200
    api = pl.DataFrame(answer.json()["rows"], infer_schema_length=None)
    for name in COUNTS:
        from_cli = cli[name].cast(pl.Float64, strict=False).to_list()
        from_api = api.sort("area_code", "month")[name].cast(pl.Float64).to_list()
        assert from_api == from_cli, name


def test_a_store_built_from_the_records_resists_the_attack(
    records_store: Path, structure: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "atlas.duckdb"
    copy.write_bytes(records_store.read_bytes())
    pinned = _pinned(_downloads(copy, tmp_path), structure)
    assert pinned == {}
