"""Hostile input fails fast with a clear message and bounded memory: a gzip of a few megabytes
holding one line of 2 GiB (which grew a reader to 7 GB), and a 773-byte YAML alias bomb (which
grew `policies import` to 3 GB). Each runs in a child process whose peak RSS is measured."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

from tests.conftest import REPO
from tests.releases.corpus.make_corpus import BANNER, HEADER, row

PEAK_LIMIT_BYTES = 1 << 30  # under 1 GB, as the issue asks
HUGE_LINE_BYTES = 2 << 30  # 2 GiB of one line, streamed into gzip, ~2 MB on disk

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import sanctuary_atlas
    from sanctuary_atlas.releases import BadInputError
    from sanctuary_atlas.policies.validate import PolicyValidationError

    kind, db, path = sys.argv[1:4]
    message = None
    try:
        with sanctuary_atlas.open(db) as atlas:
            if kind == "ingest":
                atlas.ingest([path])
            else:
                atlas.policies.import_file(path)
    except (BadInputError, PolicyValidationError) as exc:
        message = str(exc)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"message": message, "peak_bytes": peak_kib * 1024}))
    """
)


def _run_child(kind: str, db: Path, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(db), str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _gzip_with_huge_line(path: Path) -> None:
    """Banner, header, one good row, then one line of 2 GiB: written through zlib in 16 MiB
    pieces, so neither this test nor the disk holds it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    piece = b"X" * (16 << 20)
    with path.open("wb") as out:
        head = "\n".join([*BANNER, HEADER, row(day=1)]) + "\n"
        out.write(compressor.compress(head.encode()))
        for _ in range(HUGE_LINE_BYTES // len(piece)):
            out.write(compressor.compress(piece))
        out.write(compressor.compress(b"\n"))
        out.write(compressor.flush())


def test_a_gzip_holding_a_two_gigabyte_line_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    release = tmp_path / "one_huge_line.csv.gz"
    _gzip_with_huge_line(release)
    assert release.stat().st_size < 8 << 20
    result = _run_child("ingest", tmp_path / "atlas.duckdb", release)
    print(f"peak RSS {int(str(result['peak_bytes'])) >> 20} MiB")
    message = str(result["message"])
    assert message.startswith("file one_huge_line.csv.gz, row 8: a line longer than"), message
    assert int(str(result["peak_bytes"])) < PEAK_LIMIT_BYTES


# The classic "billion laughs": nine levels of nine aliases, 9^9 strings once expanded.
ALIAS_BOMB = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def test_a_yaml_alias_bomb_is_refused_at_its_first_alias(tmp_path: Path) -> None:
    bomb = tmp_path / "policies.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB) < 1000
    result = _run_child("policies", tmp_path / "atlas.duckdb", bomb)
    message = str(result["message"])
    assert "policies.yaml:2: YAML aliases" in message, message
    assert int(str(result["peak_bytes"])) < PEAK_LIMIT_BYTES
